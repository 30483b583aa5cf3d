"""The contest page's seat table, its steps in names, and the what-if switch, through the real view."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from entekhab.counting.methods import count_json
from entekhab.hq.results import public
from entekhab.hq.results.public import results_for
from entekhab.hq.results.seat_page import WHATIF_METHODS
from entekhab.hq.results.totals import absorb_new_reports
from entekhab.publication.seats import whatif_input

LIST_ID = re.compile(r"L[0-9A-F]{8}")
CANDIDATE_ID = re.compile(r"D[0-9A-F]{10}")


@pytest.fixture
def counted(election, polling_day):
    absorb_new_reports(election)
    return polling_day


def council(election) -> dict:
    return next(x for x in results_for(election)["contests"] if x["code"] == "council-tehran")


def get(client, election, contest="council-tehran", **query):
    return client.get(reverse("results:contest", args=[election.code, contest]), query)


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def visible(html: str) -> str:
    """The text a reader sees (attributes such as ``data-group`` carry ids for scripts and tests)."""
    return re.sub(r"<[^>]+>", " ", html)


def seats_of(html: str, table_id: str) -> dict[str, int]:
    table = section(html, f'id="{table_id}"', "</table>")
    return {g: int(n) for g, n in re.findall(r'data-group="([^"]+)" data-seats="(\d+)"', table)}


def test_the_seat_table_has_a_row_per_group_adding_up_to_the_seats(client, election, counted):
    html = get(client, election).content.decode()
    entry = council(election)
    seats = seats_of(html, "seat-table")
    assert seats == entry["result"]["group_seats"] and sum(seats.values()) == 21
    table = section(html, 'id="seat-table"', "</table>")
    assert all(x["title_fa"] in table for x in entry["lists"]) and "منفردها" in table
    assert "٫" in table and "٪" in table  # exact fractions shown with the Persian decimal separator
    assert not re.search(r"\d\.\d", table)  # …never a Latin decimal point
    elected = [c for c in entry["candidates"] if c["elected"]]
    assert all(c["name_fa"] in table for c in elected)
    assert table.count("<li data-candidate=") == 21


def test_the_steps_name_lists_and_candidates_never_their_ids(client, election, counted):
    entry = council(election)
    assert any(LIST_ID.search(s["fa"]) for s in entry["result"]["steps"])  # the published text holds ids…
    for lang in ("fa", "en"):
        client.cookies["django_language"] = lang
        html = get(client, election).content.decode()
        steps = section(html, 'id="steps"', "</ol>")
        assert not LIST_ID.search(steps) and not CANDIDATE_ID.search(steps)  # …the page names them
        title = entry["lists"][0]["title_en" if lang == "en" else "title_fa"] or entry["lists"][0]["title_fa"]
        assert title in steps


def test_a_plurality_contest_names_its_candidates_in_the_steps(client, election, counted):
    html = get(client, election, "experts-tehran").content.decode()
    assert not CANDIDATE_ID.search(section(html, 'id="steps"', "</ol>"))
    assert 'id="seat-table"' not in html and 'id="what-if"' not in html


@pytest.mark.parametrize("method", WHATIF_METHODS)
def test_each_what_if_method_shows_its_table_beside_the_legal_one(client, election, counted, method):
    page = get(client, election, method=method)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="whatif-banner"' in html and "نتیجه قانونی نیست" in html
    assert seats_of(html, "seat-table") == council(election)["result"]["group_seats"]  # the legal result stays
    whatif = seats_of(html, "whatif-table")
    assert sum(whatif.values()) == 21
    assert whatif == count_json(whatif_input(council(election), method)).group_seats  # = `entekhab count`
    assert f'data-method="{method}" aria-current="page"' in html
    shown = visible(section(html, 'id="what-if"', "</section>").split('<ol class="lots">')[0])
    assert not LIST_ID.search(shown) and not CANDIDATE_ID.search(shown)  # table and steps in names


@pytest.mark.parametrize("value", ["borda", "<script>alert(1)</script>", "DHONDT", "x" * 500, "tehran-pr "])
def test_an_unknown_method_shows_the_legal_result_with_a_notice(client, election, counted, value):
    page = get(client, election, method=value)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="method-notice"' in html and "شناخته نیست" in html
    assert 'id="whatif-table"' not in html and 'id="seat-table"' in html
    assert "<script>alert" not in html


def test_two_method_values_are_refused(client, election, counted):
    page = client.get(reverse("results:contest", args=[election.code, "council-tehran"]) +
                      "?method=dhondt&method=droop-lr")
    assert page.status_code == 200 and 'id="method-notice"' in page.content.decode()


def test_only_known_methods_are_memoised(client, election, counted, monkeypatch):
    """A page is stored for the legal count and each known method; a made-up value is answered uncached."""
    from django.core.cache import caches

    public.clear_cache()
    store = caches["default"]
    stored: list[str] = []
    real_set = store.set

    def spy(key, value, *args, **kwargs):
        if str(key).startswith("page:"):
            stored.append(key)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(store, "set", spy)
    for value, pages in (("dhondt", 1), ("made-up", 0), ("another", 0), ("", 1), ("dhondt", 0)):
        before = len(stored)
        assert get(client, election, method=value).status_code == 200
        assert len(stored) - before == pages, value
    assert len(set(stored)) == 2  # the legal page and D'Hondt's, each once


def test_the_what_if_input_is_what_the_cli_counts(election, counted, tmp_path):
    import json

    from typer.testing import CliRunner

    from entekhab.cli import app

    data = whatif_input(council(election), "sainte-lague")
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = CliRunner().invoke(app, ["count", str(path), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["group_seats"] == count_json(data).group_seats
