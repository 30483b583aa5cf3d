"""``tehran-pr``: examples worked by hand, and properties over random contests."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.counting.contest import CandidateTotal, ContestTotals, GroupTotal
from entekhab.counting.lots import draw_lot
from entekhab.counting.methods import count
from entekhab.counting.result import CountResult

from .strategies import tehran_contests


def contest(
    seats: int,
    groups: dict[str, list[tuple[str, int]]],
    independents: list[tuple[str, int]] = (),  # type: ignore[assignment]
    *,
    alternates: int = 0,
    policy: str = "next-in-group",
    seed: str = "test seed",
    facts: dict[str, tuple[bool, int]] | None = None,
) -> ContestTotals:
    facts = facts or {}
    cands = [
        CandidateTotal(cid, v, *facts.get(cid, (False, 0)))  # type: ignore[arg-type]
        for members in groups.values()
        for cid, v in members
    ] + [CandidateTotal(cid, v, *facts.get(cid, (False, 0))) for cid, v in independents]  # type: ignore[arg-type]
    return ContestTotals(
        method="tehran-pr",
        seats=seats,
        alternates=alternates,
        alternates_policy=policy,  # type: ignore[arg-type]
        seed=seed,
        groups=tuple(GroupTotal(g, tuple(cid for cid, _ in m)) for g, m in groups.items()),  # type: ignore[arg-type]
        candidates=tuple(cands),
    )


def kinds(result: CountResult) -> list[str]:
    return [s.kind for s in result.steps]


def test_list_below_one_quota_wins_a_remainder_seat() -> None:
    # 9,000 candidate-votes, 5 seats → quota 1,800.
    # L1 4,400 → 2.444: 2 + rem .444; L2 3,400 → 1.888: 1 + rem .888; L3 1,200 → .666: 0 + .666.
    # Two remainder seats: L2 (.888) and L3 (.666), though L3 is below one quota.
    r = count(contest(5, {
        "L1": [("a1", 2_000), ("a2", 1_500), ("a3", 900)],
        "L2": [("b1", 2_000), ("b2", 1_000), ("b3", 400)],
        "L3": [("c1", 700), ("c2", 500)],
    }))
    assert r.group_seats == {"L1": 2, "L2": 2, "L3": 1}
    assert set(r.elected) == {"a1", "a2", "b1", "b2", "c1"}
    quota_step = next(s for s in r.steps if s.kind == "quota")
    assert quota_step.data["quota"] == "1800"
    rem = next(s for s in r.steps if s.kind == "remainders")
    assert rem.data["awarded"] == ["L2", "L3"]
    assert r.lots == ()


def test_independent_bloc_owed_more_seats_than_it_has_candidates() -> None:
    # 10,000 votes, 5 seats → quota 2,000. independents 5,400 → 2.7; L1 3,700 → 1.85;
    # L2 900 → .45. Integer 2+1+0, remainders L1 .85, independents .7 → ind 3, L1 2, L2 0.
    # The bloc has 2 candidates: it keeps both; 3 seats rerun among L1 and L2:
    # 4,600 votes, quota 1,533⅓: L1 2.413 → 2, L2 .587 → 0; the last seat to L2 (.587).
    r = count(contest(
        5,
        {"L1": [("a1", 1_500), ("a2", 1_000), ("a3", 700), ("a4", 300), ("a5", 200)],
         "L2": [("b1", 600), ("b2", 300)]},
        [("i1", 3_400), ("i2", 2_000)],
    ))
    assert r.group_seats == {"L1": 2, "L2": 1, "independents": 2}
    assert set(r.elected) == {"i1", "i2", "a1", "a2", "b1"}
    short = next(s for s in r.steps if s.kind == "shortfall")
    assert short.data == {"stage": "seats", "group": "independents", "owed": 3, "members": 2,
                          "remaining_seats": 3}
    round2 = [s for s in r.steps if s.kind == "quota" and s.data["stage"] == "seats/round-2"]
    assert round2[0].data["quota"] == str(Fraction(4_600, 3))


def test_list_with_fewer_members_than_its_seats() -> None:
    # 15,000 votes, 6 seats → quota 2,500. L1 9,000 → 3.6; L2 4,100 → 1.64; ind 1,900 → .76.
    # Integer 3+1+0; remainders ind .76, L2 .64 → L1 3, L2 2, ind 1. L1 has 2 members:
    # keeps 2; 4 seats rerun among L2 and ind (6,000 votes, quota 1,500): L2 2.733 → 2,
    # ind 1.267 → 1, last seat by remainder to L2 (.733). Final L1 2, L2 3, ind 1.
    r = count(contest(
        6,
        {"L1": [("a1", 6_000), ("a2", 3_000)],
         "L2": [("b1", 2_000), ("b2", 1_600), ("b3", 500)]},
        [("i1", 1_100), ("i2", 800)],
    ))
    assert r.group_seats == {"L1": 2, "L2": 3, "independents": 1}
    assert set(r.elected) == {"a1", "a2", "b1", "b2", "b3", "i1"}
    assert kinds(r).count("shortfall") == 1


def test_every_group_full_leaves_seats_vacant() -> None:
    r = count(contest(5, {"L1": [("a1", 10), ("a2", 5)]}, [("i1", 7)]))
    assert sorted(r.elected) == ["a1", "a2", "i1"]
    vacant = next(s for s in r.steps if s.kind == "vacant")
    assert vacant.data["vacant"] == 2


def test_equal_remainders_are_decided_by_a_lot() -> None:
    # 6,000 votes, 2 seats → quota 3,000: L3 exactly 1 (rem 0); L1 and L2 both .5 → a lot.
    c = contest(2, {
        "L1": [("a1", 1_000), ("a2", 500)],
        "L2": [("b1", 900), ("b2", 600)],
        "L3": [("c1", 1_500), ("c2", 1_000), ("c3", 500)],
    }, seed="Tehran 1405 published seed")
    r = count(c)
    lot = draw_lot("Tehran 1405 published seed", "tehran-pr/seats/round-1/remainder",
                   ["L1", "L2"], 1)
    assert r.lots == (lot,)
    winner = lot.winners[0]
    assert r.group_seats == {"L1": int(winner == "L1"), "L2": int(winner == "L2"), "L3": 1}
    assert ("a1" if winner == "L1" else "b1") in r.elected
    tie = next(s for s in r.steps if s.kind == "group-tie")
    assert tie.data["contenders"] == ["L1", "L2"] and tie.data["winners"] == [winner]
    # The same input counted again draws the same lot; another seed may not.
    assert count(c) == r
    outcomes = {count(contest(2, {
        "L1": [("a1", 1_000), ("a2", 500)],
        "L2": [("b1", 900), ("b2", 600)],
        "L3": [("c1", 1_500), ("c2", 1_000), ("c3", 500)],
    }, seed=f"seed {i}")).lots[0].winners for i in range(30)}
    assert outcomes == {("L1",), ("L2",)}


def test_candidate_ties_inside_a_group_by_veteran_then_degree_then_lot() -> None:
    groups = {
        "L1": [("a1", 900), ("a2", 500), ("a3", 500)],
        "L2": [("b1", 900), ("b2", 500), ("b3", 500)],
        "L3": [("c1", 900), ("c2", 500), ("c3", 500)],
    }
    facts = {
        "a2": (False, 6), "a3": (True, 1),  # veteran first, despite a lower degree
        "b2": (False, 4), "b3": (False, 6),  # then the higher degree
        "c2": (False, 4), "c3": (False, 4),  # then a lot
    }
    # 5,700 votes, 6 seats: every list 1,900 → 2 seats each.
    r = count(contest(6, groups, facts=facts, seed="lot seed"))
    assert r.group_seats == {"L1": 2, "L2": 2, "L3": 2}
    assert {"a1", "a3", "b1", "b3", "c1"} <= set(r.elected)
    assert "a2" not in r.elected and "b2" not in r.elected
    lot = draw_lot("lot seed", "tehran-pr/members/L3/votes=500", ["c2", "c3"], 1)
    assert r.lots == (lot,)
    assert lot.winners[0] in r.elected
    ties = [s for s in r.steps if s.kind == "candidate-tie"]
    assert [t.data["criteria"] for t in ties] == [["veteran"], ["degree"], ["lot"]]


def test_alternates_next_in_group_and_overall_highest() -> None:
    groups = {
        "L1": [("a1", 5_000), ("a2", 3_000), ("a3", 2_900), ("a4", 100)],
        "L2": [("b1", 2_000), ("b2", 1_000), ("b3", 500)],
    }
    # 14,500 votes; seats: L1 11,000/14,500*3 = 2.276 → 2, L2 .828 → 1 (remainder).
    nig = count(contest(3, groups, alternates=2))
    assert nig.group_seats == {"L1": 2, "L2": 1}
    # 2 alternate places, quota 7,250: L1 1.517 → 1 + rem .517, L2 .483 → 0 + rem .483;
    # the remainder place goes to L1 → L1's next two members, L2 none.
    assert nig.alternates == ("a3", "a4")
    top = count(contest(3, groups, alternates=2, policy="overall-highest"))
    assert top.elected == nig.elected
    # overall-highest ignores groups: a3 (2,900) and b2 (1,000) beat a4 (100).
    assert top.alternates == ("a3", "b2")
    top3 = count(contest(3, groups, alternates=3, policy="overall-highest"))
    assert top3.alternates == ("a3", "b2", "b3")
    nig3 = count(contest(3, groups, alternates=3))
    # 3 places: L1 2.276 → 2, L2 .724 → 1 → a3, a4 and b2, ordered by votes.
    assert nig3.alternates == ("a3", "b2", "a4")


def test_every_step_has_persian_and_english_text() -> None:
    r = count(contest(2, {"L1": [("a1", 1_000), ("a2", 500)], "L2": [("b1", 900)]},
                      [("i1", 400)], alternates=1))
    for step in r.steps:
        assert step.en and step.fa and step.en != step.fa
    assert "۱" in r.explanation("fa") or "۲" in r.explanation("fa")
    assert "Hare quota" in r.explanation("en")


@settings(max_examples=120, deadline=None)
@given(c=tehran_contests())
def test_properties_of_random_contests(c: ContestTotals) -> None:
    r = count(c)
    n_cands = len(c.candidates)
    assert sum(r.group_seats.values()) == len(r.elected) == min(c.seats, n_cands)
    assert len(set(r.elected)) == len(r.elected)
    assert not set(r.elected) & set(r.alternates)
    assert len(r.alternates) <= c.alternates
    assert len(r.alternates) == min(c.alternates, n_cands - len(r.elected))
    members = c.group_members()
    for g, s in r.group_seats.items():
        assert s <= len(members[g])
        # inside a group, no unelected member has more votes than an elected one
        votes = c.candidate_votes
        won = [votes[m] for m in members[g] if m in r.elected]
        lost = [votes[m] for m in members[g] if m not in r.elected]
        assert not won or not lost or min(won) >= max(lost)


@settings(max_examples=120, deadline=None)
@given(c=tehran_contests(), data=st.data())
def test_result_does_not_depend_on_input_order(c: ContestTotals, data: st.DataObject) -> None:
    groups = data.draw(st.permutations(
        [GroupTotal(g.id, tuple(data.draw(st.permutations(g.members)))) for g in c.groups]
    ))
    shuffled = ContestTotals(
        method=c.method, seats=c.seats, alternates=c.alternates, seed=c.seed,
        alternates_policy=c.alternates_policy, groups=tuple(groups),
        candidates=tuple(data.draw(st.permutations(c.candidates))),
    )
    a, b = count(c), count(shuffled)
    assert a.elected == b.elected
    assert a.alternates == b.alternates
    assert dict(a.group_seats) == dict(b.group_seats)
    assert a.lots == b.lots


@settings(max_examples=80, deadline=None)
@given(c=tehran_contests())
def test_no_short_group_means_floor_or_ceiling_of_the_quota(c: ContestTotals) -> None:
    r = count(c)
    if any(s.kind in ("shortfall", "vacant") for s in r.steps):
        return
    gv = c.group_votes()
    total = sum(gv.values())
    if not total:
        return
    for g, s in r.group_seats.items():
        exact = Fraction(gv[g] * c.seats, total)
        assert exact - 1 < s < exact + 1


def test_tied_alternates_of_one_group_follow_the_groups_lot() -> None:
    groups = {"L1": [("a1", 900), ("a2", 300), ("a3", 300), ("a4", 300)]}
    r = count(contest(1, groups, alternates=2, seed="alt seed"))
    # one seat (a1); two alternate places for L1 among three members tied at 300.
    lot = draw_lot("alt seed", "tehran-pr/members/L1/votes=300", ["a2", "a3", "a4"], 2)
    assert r.lots == (lot,)
    assert r.alternates == lot.order[:2]
