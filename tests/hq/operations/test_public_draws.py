"""The public draws (issue 15, item 7): open without a login, in Persian, naming nobody by national
code, and redone from the published file alone by ``entekhab ops rerun-draw``."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.domain.draw import check_public_draw, roster_digest
from entekhab.hq.operations.demo import hold_demo_draws
from entekhab.hq.operations.models import Draw, Person
from entekhab.hq.operations.models.draws import draw_counts

PERSIAN = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def draws(election):
    return hold_demo_draws(election, 1405)


def _national_codes() -> set[str]:
    return set(Person.objects.values_list("national_code", flat=True))


def _rerun(path) -> object:
    return CliRunner().invoke(app, ["ops", "rerun-draw", str(path)])


def test_the_demo_holds_device_and_staff_draws_and_stores_no_national_code(election, draws):
    assert all(d.drawn_at.date() < election.polling_date for d in draws)  # held on the demo's calendar
    assert {(d.subject, d.stage) for d in draws} == {("devices", "region"), ("devices", "branch"),
                                                    ("staff", "region"), ("staff", "branch")}
    codes = _national_codes()
    for d in Draw.objects.all():  # listings read these counts instead of loading inputs and results
        assert d.summary == draw_counts(d.inputs, d.result) and d.summary["placed"] > 0
    for d in Draw.objects.filter(subject="staff"):
        ids = {e[0] for e in d.inputs["entrants"]}
        assert ids and not ids & codes
        assert all(p[2].startswith(("SR-", "SB-")) for p in d.result["placements"])
        # The private roster names the people; its salted digest is the published one.
        pairs = [tuple(p) for p in d.roster["entrants"]]
        assert {p for p, _ in pairs} == ids and {c for _, c in pairs} <= codes
        assert roster_digest(d.label, d.roster["salt"], pairs) == d.roster_digest


def test_logged_out_visitors_see_every_draw_in_persian_without_national_codes(client, draws):
    codes = _national_codes()
    pages = ["/", "/draws/", "/draws/1405/"] + [f"/draws/1405/{d.pk}/" for d in draws]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert 'lang="fa"' in html and PERSIAN.search(html), url
        assert "/admin/login" not in r.get("Location", "")
        found = set(re.findall(r"\d{10}", html)) & codes
        assert not found, (url, sorted(found)[:3])
    home = client.get("/").content.decode()
    assert "/draws/1405/" in home
    staff = next(d for d in draws if d.subject == "staff" and d.stage == "region")
    page = client.get(f"/draws/1405/{staff.pk}/").content.decode()
    for shown in (staff.seed, staff.seed_commitment, staff.digest, staff.roster_digest, "rerun-draw"):
        assert shown in page
    doc = client.get(f"/draws/1405/{staff.pk}.json")
    assert doc.status_code == 200 and not set(re.findall(r"\d{10}", doc.content.decode())) & codes
    assert client.get("/draws/1405/999999/").status_code == 404
    assert client.get("/draws/nope/").status_code == 404


def test_the_published_file_alone_reproduces_each_draw(client, draws, tmp_path):
    for d in draws:
        path = tmp_path / f"{d.pk}.json"
        path.write_bytes(client.get(f"/draws/1405/{d.pk}.json").content)
        r = _rerun(path)
        assert r.exit_code == 0, r.output
        assert d.digest in r.output and "DIFFERENT" not in r.output
        assert check_public_draw(json.loads(path.read_text())).rerun.as_dict() == d.result


def test_a_tampered_file_is_caught(client, draws, tmp_path):
    staff = next(d for d in draws if d.subject == "staff" and d.stage == "region")
    original = json.loads(client.get(f"/draws/1405/{staff.pk}.json").content)

    def tampered(name, change):
        doc = json.loads(json.dumps(original))
        change(doc)
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        return _rerun(path)

    # Another seed: the commitment no longer holds and the result moves.
    r = tampered("seed", lambda doc: doc.update(seed=doc["seed"] + "9"))
    assert r.exit_code == 1 and "commitment DIFFERENT" in r.output
    # One entrant left out of the inputs: the inputs digest and the result both differ.
    r = tampered("entrant", lambda doc: doc["inputs"]["entrants"].pop(0))
    assert r.exit_code == 1 and "inputs    DIFFERENT" in r.output and "result    DIFFERENT" in r.output
    # A result edited after the draw: the re-run's digest is not the published one.
    r = tampered("result", lambda doc: doc.update(result_sha256="0" * 64))
    assert r.exit_code == 1 and "result    DIFFERENT" in r.output
    r = tampered("type", lambda doc: doc.update(type="something else"))
    assert r.exit_code == 2 and "not a published draw" in r.output
