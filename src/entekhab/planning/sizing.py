"""Least devices per branch meeting the wait target, with the proof that one fewer misses.

The search runs on the simulation (it sees the opening surge, the hand-off between
stages and the closing queue) with common random numbers: every candidate device
count is tried on the same simulated voters. Authentication is sized first on its
own (a voter's total wait is at least their authentication wait, so no smaller count
can work), then the least e-box count for it; one more authentication device is
tried only if it could save two e-boxes. The Erlang C estimate for the peak hour is
kept beside the result as an analytic cross-check and as the search's start.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from entekhab.domain.ids import AreaCode, BranchCode
from entekhab.planning.branches import BranchLoad
from entekhab.planning.erlang import least_servers
from entekhab.planning.scenario import Scenario, WaitTarget
from entekhab.planning.simulation import (
    DayInputs,
    DayStats,
    draw_days,
    fifo_starts,
    run_day,
    stage_rates,
    summarise,
    within_target,
)

UNBOUNDED = math.inf  # the wait with zero devices: nobody is ever served


class DeviceNeeds:
    """Required and missing devices, derived from needed, spares and available counts.

    A mixin: the pure ``BranchSizing`` and the HQ's stored ``BranchPlan`` carry the same six
    counts and derive the rest the same way.
    """

    auth_needed: int
    eboxes_needed: int
    auth_spares: int
    ebox_spares: int
    auth_available: int
    eboxes_available: int

    @property
    def auth_required(self) -> int:
        """Needed plus the branch's own spares (zero when spares are pooled)."""
        return self.auth_needed + self.auth_spares

    @property
    def eboxes_required(self) -> int:
        return self.eboxes_needed + self.ebox_spares

    @property
    def auth_shortfall(self) -> int:
        return max(0, self.auth_required - self.auth_available)

    @property
    def ebox_shortfall(self) -> int:
        return max(0, self.eboxes_required - self.eboxes_available)


@dataclass(frozen=True)
class BranchSizing(DeviceNeeds):
    """One branch's plan: devices needed, with reserve, in inventory, missing."""

    code: BranchCode
    region_code: AreaCode
    county_code: AreaCode
    district_code: AreaCode
    eligible_voters: int
    expected_voters: float
    auth_needed: int
    eboxes_needed: int
    auth_spares: int
    ebox_spares: int
    auth_available: int
    eboxes_available: int
    analytic_auth: int
    analytic_eboxes: int
    day: DayStats
    quantile_wait_one_fewer_auth: float
    quantile_wait_one_fewer_ebox: float
    meets_one_fewer_auth: bool
    meets_one_fewer_ebox: bool

    @property
    def minimal(self) -> bool:
        """The proof of minimality: with one device fewer of either kind the target is missed."""
        return not self.meets_one_fewer_auth and not self.meets_one_fewer_ebox


class _Evaluator:
    """Evaluates device counts on fixed simulated days, caching the authentication stage."""

    def __init__(self, days: tuple[DayInputs, ...], target: WaitTarget):
        self.days = days
        self.target = target
        self._auth: dict[int, list[np.ndarray]] = {}
        self._pooled: dict[tuple[int, int], tuple[bool, float]] = {}

    def auth_starts(self, a: int) -> list[np.ndarray]:
        if a not in self._auth:
            self._auth[a] = [np.asarray(fifo_starts(d.arrivals.tolist(),
                                                    d.auth_service.tolist(), a, d.ready_at))
                             for d in self.days]
        return self._auth[a]

    def auth_alone_meets(self, a: int) -> bool:
        waits = np.concatenate([s - d.arrivals for s, d in zip(self.auth_starts(a), self.days,
                                                               strict=True)])
        return within_target(waits, self.target)[1] if waits.size else True

    def evaluate(self, a: int, e: int) -> tuple[bool, float]:
        """Whether (a, e) meets the target, and the wait at the target quantile in minutes."""
        if a < 1 or e < 1:
            return False, UNBOUNDED
        key = (a, e)
        if key not in self._pooled:
            waits = []
            for start, d in zip(self.auth_starts(a), self.days, strict=True):
                end = start + d.auth_service
                order = np.argsort(end, kind="stable")
                vs = np.asarray(fifo_starts(end[order].tolist(),
                                            d.vote_service[order].tolist(), e, d.ready_at))
                waits.append((start - d.arrivals)[order] + vs - end[order])
            total = np.concatenate(waits) if waits else np.zeros(0)
            if total.size == 0:
                self._pooled[key] = (True, 0.0)
            else:
                q = float(np.quantile(total, self.target.quantile, method="inverted_cdf"))
                self._pooled[key] = (within_target(total, self.target)[1], q / 60.0)
        return self._pooled[key]

    def least_eboxes(self, a: int, start: int, upper: int) -> int:
        """Least e ≥ 1 meeting the target with ``a`` authentication devices, stepping from start."""
        e = max(1, min(start, upper))
        if self.evaluate(a, e)[0]:
            while e > 1 and self.evaluate(a, e - 1)[0]:
                e -= 1
            return e
        while e < upper and not self.evaluate(a, e)[0]:
            e += 1
        return e


def size_branch(scenario: Scenario, branch: BranchLoad) -> BranchSizing:
    """The least (authentication devices, e-boxes) for one branch under the scenario."""
    target = scenario.target
    days = draw_days(scenario, branch)
    ev = _Evaluator(days, target)
    most = max(1, max((d.arrivals.size for d in days), default=1))
    rates = stage_rates(scenario, branch)
    peak = max(rates) if rates else 0.0
    vote_mean = scenario.ballot_timing.estimate_seconds(branch.ballot)
    auth_mean = scenario.authentication.mean_seconds
    analytic_a = _analytic(peak, auth_mean, target)
    analytic_e = _analytic(peak, vote_mean, target)

    a = 1
    while a < most and not ev.auth_alone_meets(a):
        a += 1
    e = ev.least_eboxes(a, analytic_e, most)
    # One more authentication device is worth it only if it saves at least two e-boxes.
    while e > 2 and ev.evaluate(a + 1, e - 2)[0]:
        a, e = a + 1, ev.least_eboxes(a + 1, e - 2, most)

    stats = summarise([run_day(d, a, e) for d in days], target,
                      scenario.profile.opening_hour, a, e)
    fewer_a = ev.evaluate(a - 1, e)
    fewer_e = ev.evaluate(a, e - 1)
    pooled = scenario.reserve.pooled
    return BranchSizing(
        code=branch.code, region_code=branch.region_code, county_code=branch.county_code,
        district_code=branch.district_code, eligible_voters=branch.eligible_voters,
        expected_voters=branch.eligible_voters * scenario.turnout_for(branch.code),
        auth_needed=a, eboxes_needed=e,
        auth_spares=0 if pooled else scenario.reserve.spares(a),
        ebox_spares=0 if pooled else scenario.reserve.spares(e),
        auth_available=branch.auth_devices, eboxes_available=branch.eboxes,
        analytic_auth=analytic_a, analytic_eboxes=analytic_e, day=stats,
        quantile_wait_one_fewer_auth=fewer_a[1], quantile_wait_one_fewer_ebox=fewer_e[1],
        meets_one_fewer_auth=fewer_a[0], meets_one_fewer_ebox=fewer_e[0],
    )


def _analytic(peak_per_hour: float, service_seconds: float, target: WaitTarget) -> int:
    """Erlang C at the busiest hour, as if it lasted forever (so usually an over-estimate)."""
    if peak_per_hour <= 0:
        return 1
    return least_servers(peak_per_hour, service_seconds,
                         max_wait_seconds=target.max_wait_seconds, quantile=target.quantile)


SizeFn = Callable[[Scenario, BranchLoad], BranchSizing]
