"""Plan or simulate every branch of a district, across worker processes.

Branches are independent, so they are cut into chunks and sent to a process pool;
each branch draws from its own seed, so the result does not depend on the number
of workers or on the order chunks finish. The result holds plain frozen values
that the CLI, the HTML report and the HQ pages render alike.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from entekhab.domain.ids import AreaCode, BranchCode
from entekhab.planning.branches import BranchLoad, BranchSet
from entekhab.planning.rollup import AreaRollup, rollup
from entekhab.planning.scenario import Scenario
from entekhab.planning.simulation import DayStats, HourStats, simulate_branch
from entekhab.planning.sizing import BranchSizing, size_branch

Progress = Callable[[int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class BranchDay:
    """One branch simulated with the devices it has (``operable`` false if it lacks a kind)."""

    code: BranchCode
    region_code: AreaCode
    operable: bool
    day: DayStats


@dataclass(frozen=True)
class DistrictPlan:
    """Sizing of every branch with its roll-ups: what the report and HQ pages show."""

    scenario: Scenario
    district_code: AreaCode
    branches: tuple[BranchSizing, ...]
    regions: tuple[AreaRollup, ...]
    counties: tuple[AreaRollup, ...]
    district: AreaRollup

    @property
    def all_minimal(self) -> bool:
        return all(s.minimal for s in self.branches)


@dataclass(frozen=True)
class DistrictDay:
    """Every branch simulated with its inventory: the waits to expect if nothing changes."""

    scenario: Scenario
    district_code: AreaCode
    branches: tuple[BranchDay, ...]

    @property
    def voters(self) -> int:
        return sum(b.day.voters for b in self.branches)

    @property
    def branches_missing_target(self) -> int:
        return sum(1 for b in self.branches if not b.day.meets_target)


def _size_chunk(scenario: Scenario, chunk: Sequence[BranchLoad]) -> list[BranchSizing]:
    return [size_branch(scenario, b) for b in chunk]


def _unserved(scenario: Scenario, branch: BranchLoad) -> DayStats:
    """A branch lacking a kind of device serves nobody: every wait is unbounded."""
    expected = round(branch.eligible_voters * scenario.turnout_for(branch.code))
    return DayStats(voters=expected, days=scenario.replications,
                    auth_devices=branch.auth_devices, eboxes=branch.eboxes,
                    mean_wait_minutes=math.inf, quantile_wait_minutes=math.inf,
                    max_wait_minutes=math.inf, share_within_target=0.0,
                    meets_target=expected == 0, mean_auth_wait_minutes=math.inf,
                    mean_vote_wait_minutes=math.inf, in_line_at_close=expected,
                    overtime_minutes=math.inf,
                    hours=tuple(HourStats(scenario.profile.opening_hour + h, 0, math.inf,
                                          math.inf) for h in range(scenario.profile.hours)))


def _simulate_chunk(scenario: Scenario, chunk: Sequence[BranchLoad]) -> list[BranchDay]:
    out = []
    for b in chunk:
        if b.auth_devices < 1 or b.eboxes < 1:
            out.append(BranchDay(b.code, b.region_code, False, _unserved(scenario, b)))
        else:
            out.append(BranchDay(b.code, b.region_code, True,
                                 simulate_branch(scenario, b, b.auth_devices, b.eboxes)))
    return out


def _run(fn: Callable[[Scenario, Sequence[BranchLoad]], list[T]], scenario: Scenario,
         branches: Sequence[BranchLoad], workers: int | None,
         progress: Progress | None) -> list[T]:
    workers = default_workers() if workers is None else max(1, workers)
    size = max(1, min(200, math.ceil(len(branches) / (workers * 8))))
    chunks = [branches[i:i + size] for i in range(0, len(branches), size)]
    results: list[list[T]] = []
    if workers == 1 or len(chunks) == 1:
        for c in chunks:
            results.append(fn(scenario, c))
            if progress:
                progress(len(c))
        return [x for r in results for x in r]
    # fork: workers start in milliseconds and need no importable __main__; the tasks are pure.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(fn, scenario, c) for c in chunks]
        for c, f in zip(chunks, futures, strict=True):
            results.append(f.result())
            if progress:
                progress(len(c))
    return [x for r in results for x in r]


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def plan_district(scenario: Scenario, branches: BranchSet, *, workers: int | None = None,
                  progress: Progress | None = None) -> DistrictPlan:
    """Size every branch, then roll up to regions, counties and the district."""
    scenario.check_branches(branches.codes())
    sizings = tuple(_run(_size_chunk, scenario, branches.branches, workers, progress))
    reserve = scenario.reserve
    return DistrictPlan(
        scenario=scenario, district_code=branches.district_code, branches=sizings,
        regions=rollup(sizings, "region", reserve), counties=rollup(sizings, "county", reserve),
        district=rollup(sizings, "district", reserve)[0],
    )


def simulate_district(scenario: Scenario, branches: BranchSet, *, workers: int | None = None,
                      progress: Progress | None = None) -> DistrictDay:
    """Simulate one day at every branch with the devices in its inventory."""
    scenario.check_branches(branches.codes())
    days = tuple(_run(_simulate_chunk, scenario, branches.branches, workers, progress))
    return DistrictDay(scenario, branches.district_code, days)


@dataclass(frozen=True)
class PlanSummary:
    """One scenario's headline figures, for comparing scenarios side by side."""

    scenario_name: str
    turnout: float
    expected_voters: float
    auth_required: int
    auth_shortfall: int
    eboxes_required: int
    ebox_shortfall: int
    branches_short: int
    mean_quantile_wait_minutes: float
    worst_quantile_wait_minutes: float


def summarise_plan(plan: DistrictPlan) -> PlanSummary:
    """The district line of a plan."""
    d = plan.district
    return PlanSummary(
        scenario_name=plan.scenario.name, turnout=plan.scenario.turnout,
        expected_voters=d.expected_voters, auth_required=d.auth.required,
        auth_shortfall=d.auth.shortfall, eboxes_required=d.eboxes.required,
        ebox_shortfall=d.eboxes.shortfall, branches_short=d.branches_short,
        mean_quantile_wait_minutes=d.mean_quantile_wait_minutes,
        worst_quantile_wait_minutes=d.worst_quantile_wait_minutes)


def compare_scenarios(scenarios: Sequence[Scenario], branches: BranchSet, *,
                      workers: int | None = None,
                      progress: Progress | None = None) -> tuple[PlanSummary, ...]:
    """Plan the district under each scenario (default set: 25 %, 45 %, 70 % turnout)."""
    return tuple(summarise_plan(plan_district(s, branches, workers=workers, progress=progress))
                 for s in scenarios)
