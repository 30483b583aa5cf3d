"""Totals from branch reports: equal to a recount of the vote records; duplicates and late reports."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entekhab.publication.errors import ReportMalformed
from entekhab.publication.recount import check_branch, recount_records
from entekhab.publication.totals import Absorption, ContestTally, Progress, Totaliser, sum_tallies, totalise
from tests.publication.day import polling_day


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), city=st.integers(0, 5), village=st.integers(0, 2), voters=st.integers(0, 25))
def test_totals_from_reports_equal_a_recount_of_the_records(seed, city, village, voters):
    day = polling_day(seed, city_branches=city, village_branches=village, voters=voters)
    from_reports = totalise(b.document for b in day.branches)
    recounted: dict[str, list[ContestTally]] = {}
    for b in day.branches:
        codes = [row["code"] for row in b.document["report"]["contests"]]
        for code, t in recount_records(day.infos, codes, b.records).items():
            recounted.setdefault(code, []).append(t)
    assert set(from_reports) == set(recounted)
    for code, tallies in recounted.items():
        assert from_reports[code].same_counts(sum_tallies(code, tallies))
        assert from_reports[code].branches == len(tallies)
    for b in day.branches:
        assert check_branch(b.document["report"], day.infos, b.records) == []


def test_a_report_that_arrives_twice_counts_once():
    day = polling_day(7, city_branches=3)
    t = Totaliser()
    first = [t.absorb(b.document) for b in day.branches]
    before = t.totals()
    again = t.absorb(copy.deepcopy(day.branches[0].document))
    assert first == [Absorption.COUNTED] * len(day.branches)
    assert again is Absorption.DUPLICATE
    assert t.totals() == before


def test_a_different_report_for_a_counted_branch_is_set_aside():
    day = polling_day(8, city_branches=2)
    t = Totaliser()
    for b in day.branches:
        t.absorb(b.document)
    before = t.totals()
    other = copy.deepcopy(day.branches[0].document)
    other["report"]["hour"] = "2026-05-01T23"  # another signed report of the same branch
    assert t.absorb(other) is Absorption.CONFLICT
    assert t.totals() == before
    assert t.conflicts and t.conflicts[0][0] == day.branches[0].code


def test_a_late_report_updates_totals_and_progress():
    day = polling_day(9, city_branches=4, village_branches=0, voters=20)
    t = Totaliser()
    for b in day.branches[:-1]:
        t.absorb(b.document)
    partial = t.totals()["council-city"]
    p1 = Progress(partial.branches, 4, partial.ballots, 1000)
    late = day.branches[-1]
    assert t.absorb(late.document) is Absorption.COUNTED
    full = t.totals()["council-city"]
    late_ballots = late.document["report"]["ballots"]
    assert full.ballots == partial.ballots + late_ballots
    assert full.branches == partial.branches + 1
    p2 = Progress(full.branches, 4, full.ballots, 1000)
    assert not p1.complete and p2.complete
    assert p1.percent_reported() == "75.0" and p2.percent_reported() == "100.0"


def test_totals_by_area_add_up_to_the_contest_total():
    day = polling_day(10, city_branches=5, village_branches=2)
    t = Totaliser(day.areas_of())
    for b in day.branches:
        t.absorb(b.document)
    by_area = t.by_area()
    total = t.totals()["council-city"]
    regions = [by_area[("council-city", r)] for r in ("P-C-R1", "P-C-R2")]
    assert sum_tallies("council-city", regions).same_counts(total)
    assert by_area[("experts", "P")].same_counts(t.totals()["experts"])


@pytest.mark.parametrize("mutate, field", [
    (lambda r: r["contests"][0].__setitem__("ballots", -1), "ballots"),
    (lambda r: r["contests"][0].__setitem__("blank", 10**6), "blank"),
    (lambda r: r["contests"][0]["candidates"].__setitem__("9999", 5), "candidate"),
    (lambda r: r.__setitem__("contests", "none"), "contests"),
    (lambda r: r.__setitem__("type", "x"), "branch report"),
])
def test_a_malformed_report_is_refused_by_name(mutate, field):
    day = polling_day(11, city_branches=1, village_branches=0, voters=10)
    doc = copy.deepcopy(day.branches[0].document)
    mutate(doc["report"])
    with pytest.raises(ReportMalformed) as err:
        Totaliser().absorb(doc)
    assert field in err.value.message_en


def test_recount_names_an_altered_count():
    day = polling_day(12, city_branches=1, village_branches=0, voters=25)
    b = day.branches[0]
    report = copy.deepcopy(b.document["report"])
    row = next(r for r in report["contests"] if r["code"] == "experts")
    code = next(iter(row["candidates"]))
    row["candidates"][code] += 1
    row["candidate_votes"] += 1
    diffs = check_branch(report, day.infos, b.records)
    assert [d.where for d in diffs] == [f"{b.code}.experts.candidate_votes", f"{b.code}.experts.candidates.{code}"]


def test_the_fast_tally_gives_the_e_box_s_rows():
    import random

    from entekhab.hq.results.simulate import counting_tally, load_signed_manifest, random_records
    from entekhab.records.report import tally

    day = polling_day(13, city_branches=1, village_branches=0)
    signed = day.manifests[0]
    manifest = load_signed_manifest(signed)
    records = random_records(random.Random(5), signed["manifest"], 300, infos=day.infos)
    assert counting_tally(day.infos, manifest, records) == tally(manifest, records)
