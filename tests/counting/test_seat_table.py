"""The seat table read back from a count's steps, and the steps rendered in names."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings

from entekhab.counting.contest import GROUP_METHODS, ContestTotals
from entekhab.counting.explain import Wording, label, step_text
from entekhab.counting.methods import count
from entekhab.counting.seat_table import seat_table

from .strategies import tehran_contests
from .test_tehran_pr import contest


def table_of(c: ContestTotals, order: list[str] | None = None):
    r = count(c)
    return r, seat_table(c.method, [s.as_json() for s in r.steps], order)


def test_a_list_below_one_quota_wins_its_seat_on_the_remainder() -> None:
    # 9,000 votes, 5 seats, quota 1,800 (the worked example in test_tehran_pr).
    _, t = table_of(contest(5, {
        "L1": [("a1", 2_000), ("a2", 1_500), ("a3", 900)],
        "L2": [("b1", 2_000), ("b2", 1_000), ("b3", 400)],
        "L3": [("c1", 700), ("c2", 500)],
    }))
    assert t.quota == 1_800 and t.total == 9_000 and t.seats == 5 and t.rounds == 1
    rows = {r.group: r for r in t.rows}
    assert [r.group for r in t.rows] == ["L1", "L2", "L3"]  # most votes first
    assert rows["L1"].quotas == Fraction(22, 9) and rows["L1"].integer_seats == 2
    assert rows["L1"].remainder == Fraction(4, 9) and not rows["L1"].extra_seat and rows["L1"].seats == 2
    assert rows["L2"].integer_seats == 1 and rows["L2"].extra_seat and rows["L2"].seats == 2
    assert rows["L3"].integer_seats == 0 and rows["L3"].remainder == Fraction(2, 3) and rows["L3"].seats == 1
    assert rows["L3"].share == Fraction(1_200, 9_000)
    assert rows["L2"].elected == ("b1", "b2") and rows["L3"].elected == ("c1",)
    assert t.seats_given == 5


def test_a_shortfall_shows_as_seats_moved_to_the_other_groups() -> None:
    # The independents are owed 3 seats with 2 candidates; the third goes to L2 in round 2.
    _, t = table_of(contest(
        5,
        {"L1": [("a1", 1_500), ("a2", 1_000), ("a3", 700), ("a4", 300), ("a5", 200)],
         "L2": [("b1", 600), ("b2", 300)]},
        [("i1", 3_400), ("i2", 2_000)],
    ), order=["L1", "L2", "independents"])
    rows = {r.group: r for r in t.rows}
    assert [r.group for r in t.rows] == ["L1", "L2", "independents"]
    assert t.rounds == 2 and t.quota == 2_000
    ind = rows["independents"]
    assert (ind.integer_seats, ind.remainder_seats, ind.reallocated, ind.seats) == (2, 1, -1, 2)
    assert (rows["L2"].integer_seats, rows["L2"].remainder_seats, rows["L2"].reallocated) == (0, 0, 1)
    assert sum(r.reallocated for r in t.rows) == 0 and t.seats_given == 5


def test_equal_remainders_give_the_extra_seat_to_the_lots_winner() -> None:
    r, t = table_of(contest(2, {
        "L1": [("a1", 1_000), ("a2", 500)],
        "L2": [("b1", 900), ("b2", 600)],
        "L3": [("c1", 1_500), ("c2", 1_000), ("c3", 500)],
    }, seed="Tehran 1405 published seed"))
    winner = r.lots[0].winners[0]
    rows = {x.group: x for x in t.rows}
    assert rows[winner].extra_seat and rows[winner].seats == 1
    assert rows["L3"].integer_seats == 1 and rows["L3"].remainder == 0 and not rows["L3"].extra_seat


def test_vacant_seats_are_counted_apart() -> None:
    _, t = table_of(contest(5, {"L1": [("a1", 10), ("a2", 5)]}, [("i1", 7)]))
    assert t.vacant == 2 and t.seats_given == 3 and t.seats == 5


@pytest.mark.parametrize("method", GROUP_METHODS)
def test_what_if_methods_have_a_table_too(method: str) -> None:
    c = contest(7, {"L1": [("a1", 5_000), ("a2", 2_000)], "L2": [("b1", 3_000)], "L3": [("c1", 900)]},
                [("i1", 1_000)])
    r, t = table_of(ContestTotals(method=method, seats=7, groups=c.groups, candidates=c.candidates))
    assert t.method == method and t.seats_given == 7 == sum(r.group_seats.values())
    assert {x.group: x.seats for x in t.rows} == dict(r.group_seats)
    if method in ("dhondt", "sainte-lague"):
        assert t.quota is None and all(x.quotas is None for x in t.rows)
        assert all(x.quotient is not None for x in t.rows if x.seats)
    else:
        assert t.quota is not None and all(x.integer_seats is not None for x in t.rows)


def test_a_plurality_count_has_no_seat_table() -> None:
    c = ContestTotals(method="plurality", seats=1, candidates=contest(1, {"L1": [("a", 3)]}).candidates)
    with pytest.raises(ValueError):
        seat_table("plurality", [s.as_json() for s in count(c).steps])


@settings(max_examples=150, deadline=None)
@given(tehran_contests())
def test_every_table_adds_up_to_the_seats(c: ContestTotals) -> None:
    r, t = table_of(c)
    assert t.seats_given + t.vacant == c.seats
    assert {x.group: x.seats for x in t.rows} == dict(r.group_seats)
    for x in t.rows:
        assert x.integer_seats is not None and x.quotas is not None and x.remainder is not None
        assert x.integer_seats + x.remainder_seats + x.reallocated == x.seats
        assert x.quotas - x.integer_seats == x.remainder and 0 <= x.remainder < 1
        if t.total:
            assert x.quotas == Fraction(x.votes * c.seats, t.total)
        assert len(x.elected) == x.seats


# ----------------------------------------------------------------------------- steps in names

ID = re.compile(r"\b(L\d|c\d+)\b")  # "independents" is also the bloc's English name


@settings(max_examples=150, deadline=None)
@given(tehran_contests())
def test_the_published_sentences_are_the_data_rendered_with_ids(c: ContestTotals) -> None:
    for step in count(c).steps:
        assert step_text(step.kind, step.data, "fa") == step.fa
        assert step_text(step.kind, step.data, "en") == step.en


@settings(max_examples=150, deadline=None)
@given(tehran_contests())
def test_named_steps_never_show_an_id(c: ContestTotals) -> None:
    r = count(c)
    people = {x.id: f"نامزد {x.id[1:]}" for x in c.candidates}
    lists = {g.id: f"فهرست {g.id[1:]}" for g in c.groups}

    def name(i: str, lang: str) -> str:
        return people.get(i) or lists.get(i) or label(i, lang)

    wording = Wording(name, [lot.context for lot in r.lots])
    for step in r.steps:
        for lang in ("fa", "en"):
            text = step_text(step.kind, step.data, lang, wording)
            assert not ID.search(text), text
            assert "«" not in text  # lots by number, not by their id-bearing context


def test_a_lot_is_named_by_its_number_in_the_list_shown() -> None:
    r = count(contest(2, {
        "L1": [("a1", 1_000), ("a2", 500)],
        "L2": [("b1", 900), ("b2", 600)],
        "L3": [("c1", 1_500), ("c2", 1_000), ("c3", 500)],
    }, seed="s"))
    tie = next(s for s in r.steps if s.kind == "group-tie")
    text = step_text(tie.kind, tie.data, "fa", Wording(lots=[r.lots[0].context]))
    assert "قرعه شماره ۱" in text
    assert "lot no. 1" in step_text(tie.kind, tie.data, "en", Wording(lots=[r.lots[0].context]))
