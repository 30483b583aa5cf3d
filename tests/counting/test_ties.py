"""The candidate tie chain: votes, then veteran, then degree, then a lot where it matters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.counting.contest import CandidateTotal
from entekhab.counting.lots import draw_lot
from entekhab.counting.ties import rank_candidates


def c(cid: str, votes: int, veteran: bool = False, degree: int = 0) -> CandidateTotal:
    return CandidateTotal(cid, votes, veteran, degree)  # type: ignore[arg-type]


def rank(cands: list[CandidateTotal], decided: int, until: int | None = None, seed: str = "s"):
    return rank_candidates(
        cands, decided=decided, ordered_until=decided if until is None else until,
        seed=seed, context="test", scope="plurality",
    )


def test_veteran_beats_a_higher_degree_on_equal_votes() -> None:
    r = rank([c("x", 10), c("y", 8, degree=6), c("z", 8, veteran=True, degree=1)], 2)
    assert r.order[:2] == ("x", "z")
    assert r.lots == ()
    assert r.steps[0].data["criteria"] == ["veteran"]


def test_degree_decides_between_equal_votes_and_equal_veteran_status() -> None:
    r = rank([c("x", 10), c("y", 8, degree=3), c("z", 8, degree=5)], 2)
    assert r.order[:2] == ("x", "z")
    assert r.steps[0].data["criteria"] == ["degree"]


def test_full_tie_is_decided_by_a_lot_listed_in_the_result() -> None:
    r = rank([c("x", 10), c("y", 8, degree=3), c("z", 8, degree=3)], 2, seed="seed-1")
    expected = draw_lot("seed-1", "test/votes=8", ["y", "z"], 1)
    assert r.lots == (expected,)
    assert r.order[1] == expected.winners[0]
    assert r.steps[0].data["criteria"] == ["lot"]


def test_no_lot_for_a_tie_that_decides_nothing() -> None:
    # y and z are both elected (2 seats of 3) and nothing is ordered after them.
    r = rank([c("x", 10), c("y", 8), c("z", 8)], 3)
    assert r.lots == () and r.steps == ()
    # both beyond the elected and the alternates
    r = rank([c("x", 10), c("y", 8), c("z", 8)], 1)
    assert r.lots == ()


def test_ties_among_alternates_are_ordered() -> None:
    r = rank([c("x", 10), c("y", 8), c("z", 8)], 1, until=3)
    assert len(r.lots) == 1 and r.lots[0].places == 2
    assert r.order[1:] == r.lots[0].order


def test_chain_in_one_class_uses_veteran_then_degree_then_lot() -> None:
    cands = [c("v", 8, veteran=True), c("p", 8, degree=5), c("q", 8, degree=2), c("r", 8, degree=2)]
    r = rank(cands, 3)
    assert r.order[:2] == ("v", "p")
    assert r.steps[0].data["criteria"] == ["veteran", "degree", "lot"]
    assert r.order[2] == r.lots[0].winners[0]


@settings(max_examples=100, deadline=None)
@given(
    votes=st.lists(st.integers(0, 5), min_size=1, max_size=10),
    decided=st.integers(0, 10),
    extra=st.integers(0, 5),
    data=st.data(),
)
def test_ranking_is_a_permutation_and_independent_of_input_order(
    votes: list[int], decided: int, extra: int, data: st.DataObject
) -> None:
    cands = [c(f"c{i}", v) for i, v in enumerate(votes)]
    shuffled = data.draw(st.permutations(cands))
    a, b = rank(cands, decided, decided + extra), rank(shuffled, decided, decided + extra)
    assert sorted(a.order) == sorted(x.id for x in cands)
    assert a.order == b.order and a.lots == b.lots
    ranked_votes = [votes[int(cid[1:])] for cid in a.order]
    assert ranked_votes == sorted(ranked_votes, reverse=True)
