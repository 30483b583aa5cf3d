"""Seats from totals: the counting package's input built from a contest's tally.

Candidate totals come from the reports (individual votes + votes through the list,
as the e-box counts them); lists become groups; veteran and degree come from the
manifest (which the candidates app fills from registrations); the lot seed is the
election's published seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from entekhab.counting.contest import GROUP_METHODS, CandidateTotal, ContestTotals, GroupTotal
from entekhab.counting.methods import count
from entekhab.counting.result import CountResult
from entekhab.publication.contests import ContestInfo
from entekhab.publication.errors import PublicationError
from entekhab.publication.totals import ContestTally

LOT_SEED_FORMAT = "entekhab/lot-seed/1"


def lot_seed(election: str, contest: str, report_digests: Iterable[str]) -> str:
    """The published lot seed of a contest: fixed by the reports counted, known to no one before.

    ``SHA-256("entekhab/lot-seed/1\n<election>\n<contest>\n" + sorted report SHA-256s joined by "\n")``
    in hex; anyone recomputes it from the published reports (policy ``report-digests``).
    """
    text = "\n".join([LOT_SEED_FORMAT, election, contest, *sorted(report_digests)])
    return hashlib.sha256(text.encode()).hexdigest()


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


def contest_entry(*, info: ContestInfo, area: str, branches_expected: int, status: str, version: int,
                  tally: ContestTally, by_area: Mapping[str, ContestTally], seed: str) -> dict[str, Any]:
    """One contest of ``results.json``: totals, totals by area, candidates, lists, seats, explanation."""
    result = result_json(info, tally, seed)
    elected, alternates = set(result["elected"]), set(result["alternates"])
    return {
        "code": info.code, "name_fa": info.name_fa, "name_en": info.name_en, "area": area,
        "method": info.method, "seats": info.seats, "alternates": info.alternates,
        "max_votes": info.max_votes, "status": status, "version": version, "seed": seed,
        "branches_expected": branches_expected, "branches_reported": tally.branches,
        "totals": tally.as_json(),
        "by_area": {a: t.as_json() for a, t in sorted(by_area.items())},
        "candidates": [{"id": c.id, "code": c.code, "name_fa": c.name_fa, "name_en": c.name_en,
                        "list": c.list_id, "votes": tally.candidates.get(c.code, 0),
                        "elected": c.id in elected, "alternate": c.id in alternates}
                       for c in info.candidates],
        "lists": [{"id": x.id, "code": x.code, "title_fa": x.title_fa, "title_en": x.title_en,
                   "ballots": tally.lists.get(x.code, 0), "votes": result["group_votes"].get(x.id, 0),
                   "seats": result["group_seats"].get(x.id, 0)} for x in info.lists],
        "result": result,
    }


def result_json(info: ContestInfo, tally: ContestTally, seed: str) -> dict[str, Any]:
    """The published seat outcome of one contest (the counting result plus its quota)."""
    result = count_contest(info, tally, seed)
    out = result.as_json()
    out["method"] = info.method
    out["seats"] = info.seats
    totals = next((s.data for s in result.steps if s.kind == "totals"), {})
    out["group_votes"] = dict(totals.get("group_votes", {})) if info.method == "tehran-pr" else {}
    return out


def whatif_input(entry: Mapping[str, Any], method: str) -> dict[str, Any]:
    """The ``entekhab count`` input that recounts a proportional contest of ``results.json`` under
    ``method``, a group-vote method (what-if): each list with its members, every candidate's votes,
    the contest's lot seed. ``count_json`` of it is what the CLI prints for the same file.
    """
    if method not in GROUP_METHODS:
        raise PublicationError(
            "no what-if count with method %(method)s",
            params={"method": repr(method), "method2": method},
            code="unknown_method",
        )
    members: dict[str, list[str]] = {x["id"]: [] for x in entry["lists"]}
    for c in entry["candidates"]:
        if c.get("list") in members:
            members[c["list"]].append(c["id"])
    return {"contest": {"method": method, "seats": entry["seats"]},
            "groups": [{"id": g, "members": m} for g, m in members.items() if m],
            "candidates": [{"id": c["id"], "votes": c["votes"]} for c in entry["candidates"]],
            "seed": entry["seed"]}
