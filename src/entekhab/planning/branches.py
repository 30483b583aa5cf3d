"""The branches to plan: where they are, how many may vote there, what they already have.

A :class:`BranchLoad` is what the planner needs from HQ's branch register. Until the
HQ database is available the CLI reads the same data from a JSON branch file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entekhab.domain.ids import AreaCode, BranchCode
from entekhab.i18n import en_fa
from entekhab.planning.scenario import read_json
from entekhab.planning.service import BALLOTS, BallotShape
from entekhab.planning.validate import (
    PlanningInputError,
    integer,
    mapping,
    only_keys,
    required,
    sequence,
    text,
)


@dataclass(frozen=True)
class BranchLoad:
    """One polling branch: area codes, eligible voters, ballot shape, devices in inventory."""

    code: BranchCode
    region_code: AreaCode
    county_code: AreaCode
    district_code: AreaCode
    eligible_voters: int
    ballot: BallotShape
    auth_devices: int = 0
    eboxes: int = 0

    def __post_init__(self) -> None:
        f = f"branches[{self.code}]"
        text(self.code, "branch.code")
        text(self.region_code, f"{f}.region")
        text(self.county_code, f"{f}.county")
        text(self.district_code, f"{f}.district")
        integer(self.eligible_voters, f"{f}.eligible", minimum=0)
        integer(self.auth_devices, f"{f}.auth_devices", minimum=0)
        integer(self.eboxes, f"{f}.eboxes", minimum=0)


@dataclass(frozen=True)
class BranchSet:
    """The branches of one electoral district, codes unique."""

    district_code: AreaCode
    branches: tuple[BranchLoad, ...]

    def __post_init__(self) -> None:
        if not self.branches:
            raise PlanningInputError("branches", *en_fa("must not be empty"))
        seen: set[str] = set()
        for b in self.branches:
            if b.code in seen:
                raise PlanningInputError(f"branches[{b.code}]", *en_fa("duplicate branch code"))
            seen.add(b.code)

    @property
    def eligible_voters(self) -> int:
        return sum(b.eligible_voters for b in self.branches)

    def codes(self) -> tuple[BranchCode, ...]:
        return tuple(b.code for b in self.branches)

    def as_dict(self) -> dict[str, Any]:
        ballots = {b.ballot.name: b.ballot for b in self.branches}
        return {
            "district": self.district_code,
            "ballots": {name: shape.as_dict() for name, shape in sorted(ballots.items())},
            "branches": [{"code": b.code, "region": b.region_code, "county": b.county_code,
                          "eligible": b.eligible_voters, "ballot": b.ballot.name,
                          "auth_devices": b.auth_devices, "eboxes": b.eboxes}
                         for b in self.branches],
        }

    @classmethod
    def from_dict(cls, data: Any) -> BranchSet:
        data = mapping(data, "branch_file")
        only_keys(data, "branch_file", {"district", "ballots", "branches"})
        district = AreaCode(text(required(data, "district", "branch_file"),
                                 "branch_file.district"))
        ballots: dict[str, BallotShape] = dict(BALLOTS)
        for name, raw in mapping(data.get("ballots", {}), "branch_file.ballots").items():
            ballots[name] = BallotShape.from_dict(name, raw, f"branch_file.ballots.{name}")
        rows = sequence(required(data, "branches", "branch_file"), "branch_file.branches",
                        non_empty=True)
        return cls(district, tuple(_branch(row, i, district, ballots)
                                   for i, row in enumerate(rows)))


def _branch(row: Any, i: int, district: AreaCode,
            ballots: Mapping[str, BallotShape]) -> BranchLoad:
    f = f"branches[{i}]"
    row = mapping(row, f)
    only_keys(row, f, {"code", "region", "county", "eligible", "ballot", "auth_devices",
                       "eboxes"})
    ballot_name = text(row.get("ballot", "tehran-city"), f"{f}.ballot")
    if ballot_name not in ballots:
        raise PlanningInputError(
            f"{f}.ballot", *en_fa("unknown ballot shape %(ballot_name)s", ballot_name=repr(ballot_name))
        )
    return BranchLoad(
        code=BranchCode(text(required(row, "code", f), f"{f}.code")),
        region_code=AreaCode(text(required(row, "region", f), f"{f}.region")),
        county_code=AreaCode(text(required(row, "county", f), f"{f}.county")),
        district_code=district,
        eligible_voters=integer(required(row, "eligible", f), f"{f}.eligible", minimum=0),
        ballot=ballots[ballot_name],
        auth_devices=integer(row.get("auth_devices", 0), f"{f}.auth_devices", minimum=0),
        eboxes=integer(row.get("eboxes", 0), f"{f}.eboxes", minimum=0),
    )


def load_branches(path: Path) -> BranchSet:
    """A branch file (JSON) as a validated :class:`BranchSet`."""
    return BranchSet.from_dict(read_json(path, "branch_file"))
