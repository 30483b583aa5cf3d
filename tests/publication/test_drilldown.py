"""The contest drill-down tree and its charts, without a database."""

from __future__ import annotations

import re

import pytest

from entekhab.publication.charts import progress_bars, value_bars
from entekhab.publication.drilldown import ContestTree, UnknownArea, ranked_candidates, share

# A district like Tehran, Rey and Tajrish: its branches lie in two counties, one with regions.
MEMBERS = {
    "R01-1": ("P", "P-C1", "P-C1-T1", "P-C1-T1-R01"),
    "R01-2": ("P", "P-C1", "P-C1-T1", "P-C1-T1-R01"),
    "R02-1": ("P", "P-C1", "P-C1-T1", "P-C1-T1-R02"),
    "REY-1": ("P", "P-C2", "P-C2-T1"),
}
AREAS = {code: {"code": code, "kind": "x", "name_fa": f"حوزه {code}", "name_en": f"Area {code}"}
         for p in MEMBERS.values() for code in p}
ENTRY = {
    "code": "council", "totals": {"candidates": {"11": 9, "12": 4}},
    "candidates": [{"code": "11", "name_fa": "الف", "name_en": "A"}, {"code": "12", "name_fa": "ب", "name_en": "B"}],
    "by_area": {
        "P": {"branches": 2, "ballots": 30, "blank": 1, "candidates": {"11": 9, "12": 4}},
        "P-C1": {"branches": 1, "ballots": 20, "blank": 1, "candidates": {"11": 2, "12": 4}},
        "P-C1-T1": {"branches": 1, "ballots": 20, "blank": 1, "candidates": {"11": 2, "12": 4}},
        "P-C1-T1-R01": {"branches": 1, "ballots": 20, "blank": 1, "candidates": {"11": 2, "12": 4}},
        "P-C2": {"branches": 1, "ballots": 10, "blank": 0, "candidates": {"11": 7}},
        "P-C2-T1": {"branches": 1, "ballots": 10, "blank": 0, "candidates": {"11": 7}},
    },
}
FIGURES = {"R01-1": (100, 1000), "R01-2": (50, 1000), "R02-1": (0, 500), "REY-1": (333, 999)}


def test_the_contest_level_is_the_deepest_area_holding_every_branch():
    tree = ContestTree(MEMBERS)
    assert tree.root == "P"
    top = tree.top_level(ENTRY, AREAS, FIGURES)
    assert [n.code for n in top.children] == ["P-C1", "P-C2"]
    c1, c2 = top.children
    assert (c1.progress.reported, c1.progress.expected) == (1, 3)
    assert (c2.progress.reported, c2.progress.expected, c2.progress.complete) == (1, 1, True)
    assert (c1.checkins, c1.eligible, c1.turnout) == (150, 2500, "6.0")
    assert top.branches == () and top.chain == ()


def test_a_region_lists_its_branches_and_the_way_up():
    tree = ContestTree(MEMBERS)
    level = tree.level("P-C1-T1-R01", ENTRY, AREAS, FIGURES)
    assert level.branches == ("R01-1", "R01-2") and level.children == ()
    assert [n.code for n in level.chain] == ["P-C1", "P-C1-T1"]
    assert level.tally["ballots"] == 20 and level.node.name("fa") == "حوزه P-C1-T1-R01"


def test_an_area_without_reports_shows_zeros_and_its_expected_branches():
    level = ContestTree(MEMBERS).level("P-C1-T1-R02", ENTRY, AREAS, FIGURES)
    assert (level.node.progress.reported, level.node.progress.expected) == (0, 1)
    assert level.tally["ballots"] == 0 and level.tally["candidates"] == {}


def test_a_single_area_contest_has_its_branches_at_the_top():
    tree = ContestTree({"V-1": ("P", "P-C2", "P-C2-V1"), "V-2": ("P", "P-C2", "P-C2-V1")})
    top = tree.top_level({"code": "village"}, AREAS, {})
    assert tree.root == "P-C2-V1" and top.children == () and top.branches == ("V-1", "V-2")
    assert ContestTree({}).top_level({"code": "empty"}, {}, {}) is None


@pytest.mark.parametrize("area", ["NOPE", "", "P-C3"])
def test_an_area_outside_the_contest_is_refused(area):
    with pytest.raises(UnknownArea):
        ContestTree(MEMBERS).level(area, ENTRY, AREAS, FIGURES)


def test_above_the_contest_level_is_refused():
    tree = ContestTree({"V-1": ("P", "P-C2", "P-C2-V1")})
    with pytest.raises(UnknownArea):
        tree.level("P-C2", ENTRY, AREAS, FIGURES)


def test_candidates_ranked_by_votes_in_the_area():
    assert [c["code"] for c in ranked_candidates(ENTRY)] == ["11", "12"]
    assert [(c["code"], c["votes"]) for c in ranked_candidates(ENTRY, ENTRY["by_area"]["P-C1"])] == [
        ("12", 4), ("11", 2)]


@pytest.mark.parametrize(("part", "whole", "percent"), [(0, 0, "0.0"), (1, 3, "33.3"), (2, 3, "66.7"),
                                                         (1, 8, "12.5"), (5, 5, "100.0")])
def test_share_rounds_half_up_with_integers(part, whole, percent):
    assert share(part, whole) == percent


def test_vote_bars_are_persian_with_an_axis():
    svg = value_bars([("کاظم مرادی", 1234), ("ب", 5)], title="آرای نامزدها", axis="آرا")
    assert svg.count("<rect") == 2 and 'class="bars"' in svg
    assert "۱٬۲۳۴" in svg and "آرا" in svg and not re.search(r">[^<]*[0-9][^<]*</text>", svg)
    assert 'direction="rtl"' in svg  # labels right to left, anchored at the right edge
    english = value_bars([("A", 1234)], title="Votes", axis="votes", lang="en")
    assert "1,234" in english and 'direction="rtl"' not in english
    assert "<svg" in value_bars([], title="هیچ", axis="آرا")


def test_progress_bars_show_reported_of_expected_in_persian():
    svg = progress_bars([("تهران", 3, 5), ("ری", 2, 2)], title="پیشرفت", axis="شعبه‌ها")
    assert "۳ / ۵" in svg and "۲ / ۲" in svg and "۱۰۰٪" in svg
    assert not re.search(r">[^<]*[0-9][^<]*</text>", svg)
