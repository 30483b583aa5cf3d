"""``plurality`` (block vote) and the group-vote methods through :func:`count`."""

from __future__ import annotations

from entekhab.counting.contest import CandidateTotal, ContestTotals, GroupTotal
from entekhab.counting.lots import draw_lot
from entekhab.counting.methods import count, count_json


def plural(cands: list[CandidateTotal], seats: int, alternates: int = 0) -> ContestTotals:
    return ContestTotals(method="plurality", seats=seats, alternates=alternates,
                         candidates=tuple(cands), seed="expert seed")


def c(cid: str, votes: int, veteran: bool = False, degree: int = 0) -> CandidateTotal:
    return CandidateTotal(cid, votes, veteran, degree)  # type: ignore[arg-type]


def test_top_n_win_and_the_next_highest_are_alternates() -> None:
    r = count(plural([c("x", 50), c("y", 90), c("z", 70), c("w", 10), c("v", 30)], 2, 2))
    assert r.elected == ("y", "z")
    assert r.alternates == ("x", "v")
    assert r.group_seats == {"independents": 2}


def test_tie_chain_veteran_then_degree_then_lot() -> None:
    assert count(plural([c("a", 9), c("b", 5, degree=6), c("d", 5, veteran=True)], 2)).elected == (
        "a", "d")
    assert count(plural([c("a", 9), c("b", 5, degree=6), c("d", 5, degree=2)], 2)).elected == (
        "a", "b")
    r = count(plural([c("a", 9), c("b", 5, degree=2), c("d", 5, degree=2)], 2))
    lot = draw_lot("expert seed", "plurality/votes=5", ["b", "d"], 1)
    assert r.lots == (lot,) and r.elected == ("a", lot.winners[0])


def test_fewer_candidates_than_seats() -> None:
    r = count(plural([c("a", 1), c("b", 0)], 3, 2))
    assert r.elected == ("a", "b") and r.alternates == ()
    assert any(s.kind == "vacant" for s in r.steps)


def test_plurality_counts_seats_per_group_when_groups_are_given() -> None:
    r = count(ContestTotals(
        method="plurality", seats=2, candidates=(c("a", 5), c("b", 4), c("d", 3)),
        groups=(GroupTotal("G", ("a", "d")),),  # type: ignore[arg-type]
    ))
    assert r.group_seats == {"G": 1, "independents": 1}


def test_group_vote_methods_from_json() -> None:
    data = {"contest": {"method": "dhondt", "seats": 8},
            "groups": [{"id": "A", "votes": 100_000}, {"id": "B", "votes": 80_000},
                       {"id": "C", "votes": 30_000}, {"id": "D", "votes": 20_000}],
            "seed": "s"}
    r = count_json(data)
    assert r.group_seats == {"A": 4, "B": 3, "C": 1, "D": 0}
    assert r.elected == () and r.alternates == ()
    data["contest"]["method"] = "hare-lr"  # type: ignore[index]
    assert count_json(data).group_seats == {"A": 3, "B": 3, "C": 1, "D": 1}


def test_group_vote_method_on_a_tehran_input_derives_group_votes_from_members() -> None:
    data = {"contest": {"method": "sainte-lague", "seats": 3},
            "groups": [{"id": "L1", "members": ["a", "b"]}],
            "candidates": [{"id": "a", "votes": 400}, {"id": "b", "votes": 200},
                           {"id": "i", "votes": 300}]}
    # L1 600, independents 300: quotients 600, 300, 200, 100 → L1, ind, L1.
    assert count_json(data).group_seats == {"L1": 2, "independents": 1}


def test_group_tie_under_dhondt_is_decided_by_a_lot() -> None:
    data = {"contest": {"method": "dhondt", "seats": 1},
            "groups": [{"id": "A", "votes": 10}, {"id": "B", "votes": 10}], "seed": "q"}
    r = count_json(data)
    lot = draw_lot("q", "dhondt/seats/tie", ["A", "B"], 1)
    assert r.lots == (lot,)
    assert r.group_seats[lot.winners[0]] == 1
