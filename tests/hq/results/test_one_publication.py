"""One publication (issue 15): certification, supersession and ``entekhab publish`` write the same signed set.

The site serves exactly that set: after the supervisory board confirms a result, the
served ``results.json`` says "final", equals what ``entekhab publish DIR`` writes byte for
byte, and ``entekhab recount`` agrees on the served files alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.demo.people import demo_user
from entekhab.hq.elections.models import Contest, Election
from entekhab.hq.results.actions import do_certify, do_compute_result
from entekhab.hq.results.demo import LEFT_FOR_THE_SUPERVISORS, run_results_demo
from entekhab.publication.opendata import recount_folder


def _served(client: Client, election: str, name: str) -> bytes:
    response = client.get(reverse("results:open_data_file", args=[election, name]))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content)


def _download(client: Client, election: str, target: Path) -> dict[str, bytes]:
    """Every file the site lists in its signed index, fetched at its public URL."""
    index = _served(client, election, "index.json")
    files = {"index.json": index}
    for entry in json.loads(index)["index"]["files"]:
        files[entry["path"]] = _served(client, election, entry["path"])
    for path, data in files.items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_bytes(data)
    return files


def _publish(directory: Path, election: Election) -> dict[str, bytes]:
    result = CliRunner().invoke(app, ["publish", str(directory), "--election", election.code, "--json"])
    assert result.exit_code == 0, result.output
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def _contest(results: bytes, code: str) -> dict:
    return next(c for c in json.loads(results)["contests"] if c["code"] == code)


def test_served_open_data_after_certification_is_the_published_set(election, client, tmp_path):
    run_results_demo(election, seed=7)
    left = Contest.objects.get(election=election, code=LEFT_FOR_THE_SUPERVISORS)
    do_certify(left.result_versions.get(state="approved"), "confirm", acting_user=demo_user("demo-supervisor"))

    served = _download(client, election.code, tmp_path / "served")
    assert _contest(served["results.json"], LEFT_FOR_THE_SUPERVISORS)["status"] == "final"
    published = _publish(tmp_path / "published", election)
    assert published["results.json"] == served["results.json"]
    assert published == served  # every file, the signed index included
    outcome = recount_folder(tmp_path / "served")
    assert outcome.agrees, outcome.as_json()
    recount = CliRunner().invoke(app, ["recount", str(tmp_path / "served"), "--json"])
    assert recount.exit_code == 0, recount.output


def test_a_superseding_version_is_served_once_confirmed(election, client, tmp_path, counter):
    run_results_demo(election, seed=7, publish_all=True)
    contest = Contest.objects.get(election=election, code="experts-tehran")
    version = do_compute_result(contest, acting_user=counter, reason="a correction")
    version = do_certify(version, "approve", acting_user=demo_user("demo-executive"))
    assert _contest(_served(client, election.code, "results.json"), contest.code)["version"] == 1
    do_certify(version, "confirm", acting_user=demo_user("demo-supervisor"))

    served = _download(client, election.code, tmp_path / "served")
    assert _contest(served["results.json"], contest.code)["version"] == 2
    assert _publish(tmp_path / "published", election) == served
    assert recount_folder(tmp_path / "served").agrees
