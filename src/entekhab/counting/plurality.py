"""``plurality``: block vote, the top N by votes win; alternates are the next highest.

Used for councils outside Tehran, village councils and the Assembly of Experts
(DOMAIN §3.2). Ties follow the candidate chain: veteran, degree, lot.
"""

from __future__ import annotations

from entekhab.counting.contest import ContestTotals
from entekhab.counting.explain import alternates_step, elected_step, vacancy_step
from entekhab.counting.result import CountResult, Step
from entekhab.counting.ties import rank_candidates

METHOD = "plurality"


def count_plurality(contest: ContestTotals) -> CountResult:
    """Rank all candidates by the tie chain; the first ``seats`` are elected."""
    votes = contest.candidate_votes
    ranking = rank_candidates(
        contest.candidates,
        decided=contest.seats,
        ordered_until=contest.seats + contest.alternates,
        seed=contest.seed,
        context=METHOD,
        scope=METHOD,
    )
    steps: list[Step] = list(ranking.steps)
    elected = ranking.order[: contest.seats]
    alternates = ranking.order[contest.seats : contest.seats + contest.alternates]
    if len(elected) < contest.seats:
        steps.append(vacancy_step(contest.seats - len(elected), "seats"))
    if contest.alternates > 0:
        steps.append(alternates_step("next-highest", alternates, votes))
    steps.append(elected_step(elected, votes))
    members = contest.group_members()
    chosen = set(elected)
    group_seats = {g: sum(1 for m in ms if m in chosen) for g, ms in sorted(members.items())}
    return CountResult(
        method=METHOD,
        elected=elected,
        alternates=alternates,
        group_seats=group_seats,
        lots=ranking.lots,
        steps=tuple(steps),
    )
