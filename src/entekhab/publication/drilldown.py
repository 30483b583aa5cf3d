"""Drill-down of one contest's result: from the contest as a whole to its areas and branches.

Why a tree of its own: a reader follows a total down to the branches whose signed reports
make it up. The tree is built from where the contest's branches lie (their area paths),
not from the contest's own area, since an electoral district (Tehran, Rey and Tajrish) is
no ancestor of its branches in the area tree. The common top of every branch path is the
contest's level; each area below it shows its totals (the contest entry's ``by_area``),
reporting progress (branches counted / branches carrying the contest) and turnout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from entekhab.domain.errors import DomainError


class UnknownArea(DomainError):
    code = "unknown_area"


def share(part: int, whole: int) -> str:
    """``part / whole`` in percent, rounded half-up to one decimal with integers only (as turnout is)."""
    if whole <= 0:
        return "0.0"
    tenths = (part * 2000 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class Progress:
    """Branches counted out of the branches that carry the contest."""

    reported: int
    expected: int

    @property
    def percent(self) -> str:
        return share(self.reported, self.expected)

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.reported >= self.expected


@dataclass(frozen=True)
class Node:
    """One area as seen from one contest."""

    code: str
    kind: str
    name_fa: str
    name_en: str
    progress: Progress
    ballots: int
    blank: int
    checkins: int
    eligible: int

    @property
    def turnout(self) -> str:
        return share(self.checkins, self.eligible)

    def name(self, lang: str) -> str:
        return (self.name_en or self.name_fa) if lang == "en" else (self.name_fa or self.name_en)


@dataclass(frozen=True)
class Level:
    """An area's page: the area, the areas above it (below the contest's level), its sub-areas and branches."""

    node: Node
    chain: tuple[Node, ...]
    children: tuple[Node, ...]
    branches: tuple[str, ...]  # codes of the contest's branches directly in this area, sorted
    tally: Mapping[str, Any]  # the area's entry in ``by_area`` (zeros before any report)


class ContestTree:
    """Where a contest's branches lie: ``members`` maps each branch code to its area codes, root first."""

    def __init__(self, members: Mapping[str, Sequence[str]]):
        self.members = {b: tuple(p) for b, p in members.items() if p}
        paths = list(self.members.values())
        top: tuple[str, ...] = paths[0] if paths else ()
        for p in paths[1:]:
            k = 0
            while k < min(len(top), len(p)) and top[k] == p[k]:
                k += 1
            top = top[:k]
        self.top = top  # the deepest area holding every branch of the contest
        self.depth = {}
        for p in paths:
            for d, code in enumerate(p):
                self.depth.setdefault(code, d)

    @property
    def root(self) -> str | None:
        return self.top[-1] if self.top else None

    def knows(self, area: str) -> bool:
        """An area of the drill-down: the contest's level or below it, holding at least one branch."""
        return area in self.depth and self.depth[area] >= len(self.top) - 1

    def _in(self, area: str) -> list[str]:
        d = self.depth[area]
        return [b for b, p in self.members.items() if len(p) > d and p[d] == area]

    def level(self, area: str, entry: Mapping[str, Any], areas: Mapping[str, Mapping[str, Any]],
              figures: Mapping[str, tuple[int, int]]) -> Level:
        """The page of ``area``; ``figures`` maps a branch code to (check-ins, estimated eligible)."""
        if not self.knows(area):
            raise UnknownArea(
                "area %(area)s is not part of contest %(value)s", params={"area": area, "value": entry.get("code")}
            )
        d = self.depth[area]
        inside = self._in(area)
        below: dict[str, list[str]] = {}
        direct = []
        for b in inside:
            p = self.members[b]
            if len(p) > d + 1:
                below.setdefault(p[d + 1], []).append(b)
            else:
                direct.append(b)
        path = self.members[inside[0]]
        chain = tuple(self._node(code, self._in(code), entry, areas, figures)
                      for code in path[len(self.top):d])
        children = tuple(sorted((self._node(code, bs, entry, areas, figures) for code, bs in below.items()),
                                key=lambda n: n.code))
        return Level(self._node(area, inside, entry, areas, figures), chain, children, tuple(sorted(direct)),
                     entry.get("by_area", {}).get(area) or empty_tally(entry.get("code", "")))

    def top_level(self, entry: Mapping[str, Any], areas: Mapping[str, Mapping[str, Any]],
                  figures: Mapping[str, tuple[int, int]]) -> Level | None:
        """The contest's own level (its page lists these children and branches); None with no branches."""
        return self.level(self.root, entry, areas, figures) if self.root else None

    def _node(self, code: str, branches: Sequence[str], entry: Mapping[str, Any],
              areas: Mapping[str, Mapping[str, Any]], figures: Mapping[str, tuple[int, int]]) -> Node:
        tally = entry.get("by_area", {}).get(code) or {}
        meta = areas.get(code, {})
        checkins = sum(figures.get(b, (0, 0))[0] for b in branches)
        eligible = sum(figures.get(b, (0, 0))[1] for b in branches)
        return Node(code, meta.get("kind", ""), meta.get("name_fa", code), meta.get("name_en", code),
                    Progress(tally.get("branches", 0), len(branches)), tally.get("ballots", 0),
                    tally.get("blank", 0), checkins, eligible)


def empty_tally(contest: str) -> dict[str, Any]:
    return {"contest": contest, "branches": 0, "ballots": 0, "blank": 0, "candidate_votes": 0,
            "lists": {}, "candidates": {}}


def ranked_candidates(entry: Mapping[str, Any], tally: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The contest's candidates with their votes in ``tally`` (the whole contest when None), most votes first."""
    votes = (tally or entry["totals"]).get("candidates", {})
    rows = [{**c, "votes": votes.get(c["code"], 0)} for c in entry["candidates"]]
    return sorted(rows, key=lambda c: (-c["votes"], c["code"]))
