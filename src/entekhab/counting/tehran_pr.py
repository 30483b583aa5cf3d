"""``tehran-pr``: the Tehran proportional council count (DOMAIN.md §3.1).

1. Candidate totals are given (individual votes + votes through the list); a list's
   votes are its members' sum; candidates on no list form the bloc ``independents``.
2. Hare quota = all valid candidate-votes ÷ seats; each group gets the integer part of
   votes ÷ quota, then the remaining seats one each by largest fractional remainder
   (equal remainders at the cut: a lot).
3. A group owed more seats than it has members keeps all its members; the seats it
   cannot fill are reallocated by running the same largest-remainder step among the
   other groups with the remaining seats (repeated until no group is short; if every
   group is full, the rest stay vacant).
4. Inside each group, members by descending votes (tie chain: veteran, degree, lot).
5. Alternates by the named :class:`AlternatesPolicy` (default ``next-in-group``).
"""

from __future__ import annotations

from collections.abc import Mapping

from entekhab.counting.apportion import hare_lr
from entekhab.counting.contest import AlternatesPolicy, ContestTotals
from entekhab.counting.explain import (
    alternates_step,
    apportionment_steps,
    elected_step,
    group_seats_step,
    members_step,
    shortfall_step,
    totals_step,
    vacancy_step,
)
from entekhab.counting.lots import Lot
from entekhab.counting.manifest import INDEPENDENTS
from entekhab.counting.result import CountResult, Step
from entekhab.counting.ties import rank_candidates, settle_group_tie, standing
from entekhab.domain.ids import CandidateId, GroupId

METHOD = "tehran-pr"


def canonical_groups(members: Mapping[GroupId, tuple[CandidateId, ...]]) -> list[GroupId]:
    """Lists by id, then the independent bloc: the same order whatever the input order."""
    return sorted(g for g in members if g != INDEPENDENTS) + (
        [INDEPENDENTS] if INDEPENDENTS in members else []
    )


def capped_largest_remainder(
    votes: Mapping[GroupId, int],
    caps: Mapping[GroupId, int],
    seats: int,
    *,
    seed: str,
    stage: str,
    steps: list[Step],
    lots: list[Lot],
) -> dict[GroupId, int]:
    """Hare largest remainder where no group may take more than its cap (its members)."""
    result = dict.fromkeys(votes, 0)
    active = list(votes)
    remaining = seats
    round_no = 1
    while remaining > 0 and active:
        app = hare_lr({g: votes[g] for g in active}, remaining)
        label = f"{stage}/round-{round_no}"
        steps.extend(apportionment_steps(app, label))
        alloc, lot, tie_step = settle_group_tie(
            app, seed=seed, context=f"{METHOD}/{label}/remainder", stage=label
        )
        if lot is not None and tie_step is not None:
            lots.append(lot)
            steps.append(tie_step)
        short = [g for g in active if alloc[g] > caps[g]]
        if not short:
            result.update({g: alloc[g] for g in active})
            remaining = 0
            break
        remaining -= sum(caps[g] for g in short)
        for g in short:
            result[g] = caps[g]
            steps.append(shortfall_step(g, alloc[g], caps[g], remaining, stage))
        active = [g for g in active if g not in short]
        round_no += 1
    if remaining > 0:
        steps.append(vacancy_step(remaining, stage))
    return result


def count_tehran_pr(contest: ContestTotals) -> CountResult:
    """Count a Tehran-style proportional contest from candidate totals."""
    votes = contest.candidate_votes
    by_id = {c.id: c for c in contest.candidates}
    raw_members = contest.group_members()
    groups = canonical_groups(raw_members)
    members = {g: raw_members[g] for g in groups}
    group_votes = {g: sum(votes[m] for m in members[g]) for g in groups}
    caps = {g: len(members[g]) for g in groups}
    steps: list[Step] = [totals_step(group_votes, sum(group_votes.values()), len(votes))]
    lots: list[Lot] = []

    seats = capped_largest_remainder(
        group_votes, caps, contest.seats, seed=contest.seed, stage="seats", steps=steps, lots=lots
    )
    steps.append(group_seats_step(seats, "seats"))

    policy = contest.alternates_policy
    places = dict.fromkeys(groups, 0)
    if policy is AlternatesPolicy.NEXT_IN_GROUP and contest.alternates > 0:
        spare = {g: caps[g] - seats[g] for g in groups}
        places = capped_largest_remainder(
            group_votes, spare, contest.alternates, seed=contest.seed, stage="alternates",
            steps=steps, lots=lots,
        )
        steps.append(group_seats_step(places, "alternates"))

    elected: list[CandidateId] = []
    pool: list[CandidateId] = []
    for g in groups:
        ranking = rank_candidates(
            [by_id[m] for m in members[g]],
            decided=seats[g],
            ordered_until=seats[g] + places[g],
            seed=contest.seed,
            context=f"{METHOD}/members/{g}",
            scope=g,
        )
        steps.extend(ranking.steps)
        lots.extend(ranking.lots)
        chosen = ranking.order[: seats[g]]
        steps.append(members_step(g, seats[g], chosen, votes))
        elected.extend(chosen)
        pool.extend(ranking.order[seats[g] : seats[g] + places[g]])

    def key(c: CandidateId) -> tuple[tuple[int, int, int], str]:
        return (standing(by_id[c]), c)

    if policy is AlternatesPolicy.OVERALL_HIGHEST and contest.alternates > 0:
        chosen_set = set(elected)
        ranking = rank_candidates(
            [c for c in contest.candidates if c.id not in chosen_set],
            decided=0,
            ordered_until=contest.alternates,
            seed=contest.seed,
            context=f"{METHOD}/alternates",
            scope="alternates",
        )
        steps.extend(ranking.steps)
        lots.extend(ranking.lots)
        alternates = list(ranking.order[: contest.alternates])
    else:
        # Stable sort: equal standing keeps group order, and inside a group its own
        # ranking (where a lot may have ordered its alternates).
        alternates = sorted(pool, key=lambda c: standing(by_id[c]))
    if contest.alternates > 0:
        steps.append(alternates_step(policy.value, alternates, votes))
    elected.sort(key=key)
    steps.append(elected_step(elected, votes))
    return CountResult(
        method=METHOD,
        elected=tuple(elected),
        alternates=tuple(alternates),
        group_seats=seats,
        lots=tuple(lots),
        steps=tuple(steps),
    )
