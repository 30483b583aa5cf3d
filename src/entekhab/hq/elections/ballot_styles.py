"""Ballot styles: which contests a voter at each branch sees.

A contest covers a branch when the contest's area is the branch's area, one of
its ancestors, or an electoral district with one of those as a constituent.
Branches with the same covering contests share one style. The check reports
every problem with its path, so an official can fix them all in one pass.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from entekhab.hq.elections.models import BallotStyle, Branch, Contest, Election
from entekhab.hq.geography.models import Area


@dataclass(frozen=True)
class StyleProblem:
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class _Coverage:
    """Area id → ids of the contests that cover it, computed once per area."""

    def __init__(self, election: Election):
        self.parent: dict[int, int | None] = dict(Area.objects.values_list("id", "parent_id"))
        self.districts_of: dict[int, list[int]] = defaultdict(list)
        for district_id, member_id in Area.constituents.through.objects.values_list(
            "from_area_id", "to_area_id"
        ):
            self.districts_of[member_id].append(district_id)
        self.contests_by_area: dict[int, list[Contest]] = defaultdict(list)
        for contest in Contest.objects.filter(election=election).order_by("code"):
            self.contests_by_area[contest.area_id].append(contest)
        self._cache: dict[int, tuple[Contest, ...]] = {}

    def contests_for(self, area_id: int) -> tuple[Contest, ...]:
        if area_id not in self._cache:
            covering: set[int] = set()
            node: int | None = area_id
            while node is not None:
                covering.add(node)
                covering.update(self.districts_of.get(node, ()))
                node = self.parent.get(node)
            found = [c for a in covering for c in self.contests_by_area.get(a, ())]
            self._cache[area_id] = tuple(sorted(found, key=lambda c: c.code))
        return self._cache[area_id]


def style_code(contest_codes: list[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(contest_codes)).encode()).hexdigest()
    return f"S-{digest[:12]}"


def _problems_for(branch: Branch, contests: tuple[Contest, ...]) -> list[StyleProblem]:
    path = f"branches[{branch.code}]"
    if not contests:
        return [StyleProblem(path, "no contest covers this branch's area")]
    offices: dict[str, list[str]] = defaultdict(list)
    for c in contests:
        offices[c.office].append(c.code)
    return [
        StyleProblem(path, f"{len(codes)} contests for one office {office}: {', '.join(codes)}")
        for office, codes in offices.items()
        if len(codes) > 1
    ]


@transaction.atomic
def assign_ballot_styles(election: Election) -> list[StyleProblem]:
    """Compute and store every branch's style; nothing is stored if any branch has a problem."""
    coverage = _Coverage(election)
    branches = list(Branch.objects.filter(election=election).only("id", "code", "area_id"))
    problems: list[StyleProblem] = []
    wanted: dict[str, tuple[Contest, ...]] = {}
    branch_style: dict[int, str] = {}
    for branch in branches:
        contests = coverage.contests_for(branch.area_id)
        found = _problems_for(branch, contests)
        if found:
            problems.extend(found)
            continue
        code = style_code([c.code for c in contests])
        wanted[code] = contests
        branch_style[branch.id] = code
    if problems:
        transaction.set_rollback(True)
        return problems
    styles: dict[str, BallotStyle] = {}
    for code, contests in wanted.items():
        style, _ = BallotStyle.objects.get_or_create(election=election, code=code)
        style.contests.set(contests)
        styles[code] = style
    for branch in branches:
        branch.ballot_style = styles[branch_style[branch.id]]
    Branch.objects.bulk_update(branches, ["ballot_style"], batch_size=2000)
    BallotStyle.objects.filter(election=election).exclude(code__in=list(styles)).delete()
    return []


def check_ballot_styles(election: Election) -> list[StyleProblem]:
    """Every branch has exactly one style and it is the one its area calls for."""
    coverage = _Coverage(election)
    style_contests: dict[int, set[int]] = defaultdict(set)
    for style_id, contest_id in BallotStyle.contests.through.objects.filter(
        ballotstyle__election=election
    ).values_list("ballotstyle_id", "contest_id"):
        style_contests[style_id].add(contest_id)
    problems: list[StyleProblem] = []
    for branch in Branch.objects.filter(election=election).only("id", "code", "area_id", "ballot_style_id"):
        path = f"branches[{branch.code}]"
        contests = coverage.contests_for(branch.area_id)
        problems.extend(_problems_for(branch, contests))
        if branch.ballot_style_id is None:
            problems.append(StyleProblem(path, "has no ballot style"))
        elif style_contests[branch.ballot_style_id] != {c.id for c in contests}:
            problems.append(StyleProblem(path, "its ballot style does not match the contests covering its area"))
    return problems
