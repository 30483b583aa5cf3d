"""Roll branch plans up to region, county and district: needed vs. inventory → shortfall.

Two shortfalls are reported because they answer different questions. ``shortfall``
is what must be acquired if devices may be moved between branches of the area
(required − available, never negative). ``to_deliver`` is how many devices must
reach branches that lack them, whether bought or moved from a branch with a surplus.
Pooled spares are counted once per area, on the area's total need, in exact integers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from entekhab.domain.ids import AreaCode
from entekhab.planning.scenario import ReservePolicy
from entekhab.planning.sizing import BranchSizing

Level = Literal["region", "county", "district"]
LEVELS: tuple[Level, ...] = ("region", "county", "district")


@dataclass(frozen=True)
class DeviceTally:
    """One kind of device in one area."""

    needed: int
    spares: int
    available: int
    to_deliver: int

    @property
    def required(self) -> int:
        return self.needed + self.spares

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.available)

    @property
    def surplus(self) -> int:
        return max(0, self.available - self.required)


@dataclass(frozen=True)
class AreaRollup:
    """Totals for one region, county or the whole district."""

    level: Level
    area_code: AreaCode
    branches: int
    eligible_voters: int
    expected_voters: float
    auth: DeviceTally
    eboxes: DeviceTally
    branches_short: int
    worst_quantile_wait_minutes: float
    mean_quantile_wait_minutes: float


def _key(level: Level) -> Callable[[BranchSizing], AreaCode]:
    if level == "region":
        return lambda s: s.region_code
    if level == "county":
        return lambda s: s.county_code
    return lambda s: s.district_code


def _tally(needed: int, branch_spares: int, available: int, to_deliver: int,
           reserve: ReservePolicy) -> DeviceTally:
    spares = reserve.spares(needed) if reserve.pooled else branch_spares
    return DeviceTally(needed=needed, spares=spares, available=available,
                       to_deliver=to_deliver)


def rollup(sizings: Sequence[BranchSizing], level: Level,
           reserve: ReservePolicy) -> tuple[AreaRollup, ...]:
    """One :class:`AreaRollup` per area of the level, sorted by area code."""
    key = _key(level)
    groups: dict[AreaCode, list[BranchSizing]] = {}
    for s in sizings:
        groups.setdefault(key(s), []).append(s)
    out = []
    for code in sorted(groups):
        g = groups[code]
        waits = [s.day.quantile_wait_minutes for s in g]
        out.append(AreaRollup(
            level=level, area_code=code, branches=len(g),
            eligible_voters=sum(s.eligible_voters for s in g),
            expected_voters=sum(s.expected_voters for s in g),
            auth=_tally(sum(s.auth_needed for s in g), sum(s.auth_spares for s in g),
                        sum(s.auth_available for s in g), sum(s.auth_shortfall for s in g),
                        reserve),
            eboxes=_tally(sum(s.eboxes_needed for s in g), sum(s.ebox_spares for s in g),
                          sum(s.eboxes_available for s in g),
                          sum(s.ebox_shortfall for s in g), reserve),
            branches_short=sum(1 for s in g if s.auth_shortfall or s.ebox_shortfall),
            worst_quantile_wait_minutes=max(waits),
            mean_quantile_wait_minutes=sum(waits) / len(waits),
        ))
    return tuple(out)
