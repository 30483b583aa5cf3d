"""Totals from branch reports: per contest and area, duplicates counted once.

A branch report carries, per contest, ballots taken, blank ballots, candidate-votes and
the counts by list code and candidate code (``entekhab.records.report.tally``). Summing
them is all totalisation does; the policy for a branch that reports twice is here:

* the same report again (same SHA-256) is a **duplicate** and changes nothing;
* a different report for a branch already counted is a **conflict**: the first one
  stays counted and the second is set aside for the supervisory board
  (policy ``first-counted``, the default and only one: a count never changes silently).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from entekhab.publication.errors import ReportMalformed
from entekhab.records.canonical import canonical_json, sha256_hex
from entekhab.records.report import REPORT_TYPE


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReportMalformed(
            "%(where)s must be a whole number ≥ 0, got %(value)s", params={"where": where, "value": repr(value)}
        )
    return value


def _counts(value: object, where: str) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise ReportMalformed("%(where)s must be an object of counts", params={"where": where})
    return {str(k): _count(v, f"{where}.{k}") for k, v in value.items()}


@dataclass(frozen=True)
class ContestTally:
    """One contest's counts over some branches (one branch, an area, or everything)."""

    contest: str
    branches: int = 0
    ballots: int = 0
    blank: int = 0
    candidate_votes: int = 0
    lists: Mapping[str, int] = field(default_factory=dict)
    candidates: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lists", MappingProxyType(dict(sorted(self.lists.items()))))
        object.__setattr__(self, "candidates", MappingProxyType(dict(sorted(self.candidates.items()))))
        if self.blank > self.ballots:
            raise ReportMalformed(
                "contest %(contest)s: more blank ballots than ballots", params={"contest": self.contest},
            )
        if sum(self.candidates.values()) != self.candidate_votes:
            raise ReportMalformed(
                "contest %(contest)s: candidate-votes differ from the candidates' sum",
                params={"contest": self.contest},
            )

    @property
    def valid(self) -> int:
        return self.ballots - self.blank

    @classmethod
    def from_report_row(cls, row: object) -> ContestTally:
        """One contest row of a branch report (``report["contests"][i]``)."""
        if not isinstance(row, Mapping) or not isinstance(row.get("code"), str):
            raise ReportMalformed("a contest row of the report has no code")
        code = row["code"]
        return cls(
            contest=code,
            branches=1,
            ballots=_count(row.get("ballots"), f"{code}.ballots"),
            blank=_count(row.get("blank"), f"{code}.blank"),
            candidate_votes=_count(row.get("candidate_votes"), f"{code}.candidate_votes"),
            lists=_counts(row.get("lists", {}), f"{code}.lists"),
            candidates=_counts(row.get("candidates", {}), f"{code}.candidates"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "contest": self.contest,
            "branches": self.branches,
            "ballots": self.ballots,
            "blank": self.blank,
            "candidate_votes": self.candidate_votes,
            "lists": dict(self.lists),
            "candidates": dict(self.candidates),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContestTally:
        return cls(
            contest=str(data["contest"]),
            branches=_count(data["branches"], "branches"),
            ballots=_count(data["ballots"], "ballots"),
            blank=_count(data["blank"], "blank"),
            candidate_votes=_count(data["candidate_votes"], "candidate_votes"),
            lists=_counts(data["lists"], "lists"),
            candidates=_counts(data["candidates"], "candidates"),
        )

    def same_counts(self, other: ContestTally) -> bool:
        """Equal counts (zero entries ignored: a report lists only codes that got votes)."""

        def nz(m: Mapping[str, int]) -> dict[str, int]:
            return {k: v for k, v in m.items() if v}

        return (
            (self.contest, self.ballots, self.blank, self.candidate_votes)
            == (
                other.contest,
                other.ballots,
                other.blank,
                other.candidate_votes,
            )
            and nz(self.lists) == nz(other.lists)
            and nz(self.candidates) == nz(other.candidates)
        )


class Accumulator:
    """A running sum of contest tallies (mutable, for speed; frozen by :meth:`tally`)."""

    __slots__ = ("ballots", "blank", "branches", "candidate_votes", "candidates", "contest", "lists")

    def __init__(self, contest: str) -> None:
        self.contest = contest
        self.branches = self.ballots = self.blank = self.candidate_votes = 0
        self.lists: Counter[str] = Counter()
        self.candidates: Counter[str] = Counter()

    def add(self, t: ContestTally) -> None:
        self.branches += t.branches
        self.ballots += t.ballots
        self.blank += t.blank
        self.candidate_votes += t.candidate_votes
        self.lists.update(t.lists)
        self.candidates.update(t.candidates)

    def tally(self) -> ContestTally:
        return ContestTally(
            self.contest,
            self.branches,
            self.ballots,
            self.blank,
            self.candidate_votes,
            dict(self.lists),
            dict(self.candidates),
        )


def sum_tallies(contest: str, tallies: Iterable[ContestTally]) -> ContestTally:
    acc = Accumulator(contest)
    for t in tallies:
        acc.add(t)
    return acc.tally()


@dataclass(frozen=True)
class ReportSummary:
    """What totalisation reads from one signed branch report document."""

    branch: str
    sha256: str
    ballots: int
    contests: tuple[ContestTally, ...]


def summarise(document: object) -> ReportSummary:
    """Read a signed report document ``{"report", "signature"}`` (signature checked at intake)."""
    if not isinstance(document, Mapping) or not isinstance(document.get("report"), Mapping):
        raise ReportMalformed("not a signed branch report")
    report = document["report"]
    if report.get("type") != REPORT_TYPE or not isinstance(report.get("branch"), str):
        raise ReportMalformed("not a branch report")
    rows = report.get("contests")
    if not isinstance(rows, list):
        raise ReportMalformed("the report has no contests")
    contests = tuple(ContestTally.from_report_row(r) for r in rows)
    ballots = _count(report.get("ballots"), "ballots")
    if any(c.ballots != ballots for c in contests):
        raise ReportMalformed(
            "a contest's ballots differ from the report's ballots"
        )
    return ReportSummary(report["branch"], sha256_hex(canonical_json(dict(document))), ballots, contests)


class Absorption(StrEnum):
    COUNTED = "counted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


class Totaliser:
    """Totals as reports arrive, per contest and per area, each branch counted once.

    ``areas_of`` gives a branch's areas (itself up to the province) so that a report
    adds to every level at once; ``expected`` the number of branches per contest.
    """

    def __init__(self, areas_of: Mapping[str, Iterable[str]] | None = None) -> None:
        self.areas_of = {b: tuple(a) for b, a in (areas_of or {}).items()}
        self.counted: dict[str, str] = {}  # branch → sha256
        self.conflicts: list[tuple[str, str]] = []  # (branch, sha256 set aside)
        self._totals: dict[str, Accumulator] = {}
        self._by_area: dict[tuple[str, str], Accumulator] = {}

    def absorb(self, document: object) -> Absorption:
        summary = summarise(document)
        known = self.counted.get(summary.branch)
        if known == summary.sha256:
            return Absorption.DUPLICATE
        if known is not None:
            if (summary.branch, summary.sha256) not in self.conflicts:
                self.conflicts.append((summary.branch, summary.sha256))
            return Absorption.CONFLICT
        self.absorb_summary(summary)
        return Absorption.COUNTED

    def absorb_summary(self, summary: ReportSummary) -> None:
        self.counted[summary.branch] = summary.sha256
        areas = self.areas_of.get(summary.branch, ())
        for t in summary.contests:
            self._totals.setdefault(t.contest, Accumulator(t.contest)).add(t)
            for area in areas:
                self._by_area.setdefault((t.contest, area), Accumulator(t.contest)).add(t)

    def totals(self) -> dict[str, ContestTally]:
        return {c: acc.tally() for c, acc in sorted(self._totals.items())}

    def by_area(self) -> dict[tuple[str, str], ContestTally]:
        return {k: acc.tally() for k, acc in sorted(self._by_area.items())}


def totalise(documents: Iterable[object]) -> dict[str, ContestTally]:
    """Totals of a set of report documents (duplicates once, conflicts set aside)."""
    t = Totaliser()
    for doc in documents:
        t.absorb(doc)
    return t.totals()


@dataclass(frozen=True)
class Progress:
    """How far a contest's count has come."""

    branches_reported: int
    branches_expected: int
    ballots: int
    eligible_estimate: int

    @property
    def complete(self) -> bool:
        return self.branches_expected > 0 and self.branches_reported >= self.branches_expected

    def percent_reported(self) -> str:
        """Branches reported as a percentage with one decimal, computed exactly (no float)."""
        return _percent(self.branches_reported, self.branches_expected)

    def percent_turnout(self) -> str:
        return _percent(self.ballots, self.eligible_estimate)


def _percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "0.0"
    tenths = (part * 1000 * 2 + whole) // (2 * whole)  # rounded half up
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class BallotExcess:
    """A branch whose report holds more ballots for a contest than the branch had accepted check-ins."""

    contest: str
    branch: str
    ballots: int
    checkins: int

    @property
    def excess(self) -> int:
        return self.ballots - self.checkins

    def as_json(self) -> dict[str, Any]:
        return {"contest": self.contest, "branch": self.branch, "ballots": self.ballots, "checkins": self.checkins}


def ballot_excess(contest: str, ballots: Mapping[str, int], checkins: Mapping[str, int]) -> tuple[BallotExcess, ...]:
    """Every counted branch (``ballots``: branch → ballots for the contest) with more ballots than check-ins.

    A branch missing from ``checkins`` had none. Sorted by branch code, so the verdict is reproducible.
    """
    return tuple(
        BallotExcess(contest, branch, n, checkins.get(branch, 0))
        for branch, n in sorted(ballots.items())
        if n > checkins.get(branch, 0)
    )
