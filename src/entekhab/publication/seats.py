"""Seats from totals: the counting package's input built from a contest's tally.

Candidate totals come from the reports (individual votes + votes through the list,
as the e-box counts them); lists become groups; veteran and degree come from the
manifest (which the candidates app fills from registrations); the lot seed is the
election's published seed.
"""

from __future__ import annotations

from typing import Any

from entekhab.counting.contest import CandidateTotal, ContestTotals, GroupTotal
from entekhab.counting.methods import count
from entekhab.counting.result import CountResult
from entekhab.publication.contests import ContestInfo
from entekhab.publication.totals import ContestTally


def contest_totals(info: ContestInfo, tally: ContestTally, seed: str) -> ContestTotals:
    votes = tally.candidates
    return ContestTotals(
        method=info.method,
        seats=info.seats,
        alternates=info.alternates,
        alternates_policy=info.alternates_policy,
        seed=seed,
        groups=tuple(GroupTotal(x.id, x.members) for x in info.lists) if info.method == "tehran-pr" else (),
        candidates=tuple(CandidateTotal(c.id, votes.get(c.code, 0), c.veteran, c.degree) for c in info.candidates),
    )


def count_contest(info: ContestInfo, tally: ContestTally, seed: str) -> CountResult:
    """Elected, alternates, seats per group, lots and the explanation of one contest."""
    return count(contest_totals(info, tally, seed))


def result_json(info: ContestInfo, tally: ContestTally, seed: str) -> dict[str, Any]:
    """The published seat outcome of one contest (the counting result plus its quota)."""
    result = count_contest(info, tally, seed)
    out = result.as_json()
    out["method"] = info.method
    out["seats"] = info.seats
    totals = next((s.data for s in result.steps if s.kind == "totals"), {})
    out["group_votes"] = dict(totals.get("group_votes", {})) if info.method == "tehran-pr" else {}
    return out
