"""A rehearsal's day on paper: who arrives where and when, and which faults strike, all from one seed.

Arrivals follow the planner's hourly profile (``planning.simulation.stage_rates``: eligible ×
turnout, spread by the profile) scaled by ``turnout_scale``, so a scaled-down run keeps the
day's shape. Times are simulated seconds after the opening; the driver maps them to real
time through the compressed clock. Nothing here touches Django or the network.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from entekhab.planning.branches import BranchLoad
from entekhab.planning.scenario import Scenario
from entekhab.planning.simulation import poisson_arrivals, stage_rates


@dataclass(frozen=True)
class RehearsalPlan:
    """What one rehearsal runs: the election, its scale, the compression and the faults."""

    scale: str = "small"
    seed: int = 1405
    branches: int = 0  # 0: every branch of the election
    hour_seconds: float = 60.0  # real seconds per polling hour
    turnout_scale: float = 1.0  # share of the forecast's voters actually sent
    processes: int = 2  # device-agent processes
    threads: int = 8  # branch threads per process
    web_workers: int = 2
    web_threads: int = 4
    heartbeat_s: int = 600  # simulated seconds between a device's heartbeats
    partitions: int = 1
    partition_hours: float = 1.0
    ebox_failures: int = 1
    hq_kills: int = 1
    hq_down_seconds: float = 3.0  # real seconds the HQ stays dead
    db_drops: int = 1
    second_branch_share: float = 0.01  # share of voters who also try another branch

    def __post_init__(self) -> None:
        if self.scale not in ("small", "tehran"):
            raise ValueError("scale must be small or tehran")
        if not 0 < self.turnout_scale <= 1 or self.hour_seconds <= 0 or self.processes < 1 or self.threads < 1:
            raise ValueError("turnout_scale must be in (0, 1], hour_seconds > 0, processes and threads ≥ 1")

    @property
    def rate(self) -> float:
        """How much faster than real time the rehearsal's clock runs."""
        return 3600.0 / self.hour_seconds


@dataclass(frozen=True)
class Event:
    at: float  # simulated seconds after the opening
    kind: str  # voter | second | partition | ebox_failure | close
    voter: str = ""
    seconds: float = 0.0  # a partition's length


@dataclass
class BranchDay:
    code: str
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class GlobalFault:
    at: float
    kind: str  # hq_kill | db_drop


@dataclass
class Day:
    branches: list[BranchDay]
    faults: list[GlobalFault]
    length: float  # simulated seconds from opening to closing
    expected_voters: float
    hourly: list[float]  # the forecast's voters per polling hour, for the branches rehearsed (scaled)


def plan_day(plan: RehearsalPlan, scenario: Scenario, loads: Sequence[BranchLoad],
             people: Sequence[str], *, length: float) -> Day:
    """Every branch's events in time order, and the HQ-wide faults.

    ``people`` are eligible national codes, used in order; ``length`` is the polling hours in
    seconds (arrivals the profile puts after the close are not sent).
    """
    rng = np.random.default_rng(plan.seed)
    pick = random.Random(f"rehearsal:{plan.seed}")
    days, expected, pool = [], 0.0, iter(people)
    hourly = [0.0] * int(length // 3600)
    for load in loads:
        rates = stage_rates(scenario, load)
        times = poisson_arrivals(rng, [r * plan.turnout_scale for r in rates])
        expected += sum(rates) * plan.turnout_scale
        for h, rate in enumerate(rates[:len(hourly)]):
            hourly[h] += rate * plan.turnout_scale
        events = []
        for t in np.sort(times[times < length - 60]):
            try:
                events.append(Event(float(t), "voter", next(pool)))
            except StopIteration:
                raise ValueError("not enough voters sampled for the day's arrivals") from None
        days.append(BranchDay(load.code, events))
    n = len(days)
    chosen = pick.sample(range(n), n)  # fault sites, each branch at most one fault
    partitioned = chosen[:min(plan.partitions, n)]
    failing = chosen[len(partitioned):len(partitioned) + min(plan.ebox_failures, n - len(partitioned))]
    start = 0.25 * length
    for i in partitioned:
        days[i].events.append(Event(start, "partition", seconds=plan.partition_hours * 3600))
    for i in failing:
        days[i].events.append(Event(0.4 * length, "ebox_failure"))
    faults = [GlobalFault((0.55 + 0.05 * k) * length, "hq_kill") for k in range(plan.hq_kills)]
    faults += [GlobalFault((0.7 + 0.03 * k) * length, "db_drop") for k in range(plan.db_drops)]
    # Voters who try a second branch after checking in at a first: some at random, and one staged into
    # each partition and each HQ outage, where the device can only check them in offline (a duplicate).
    seconds = _second_visits(days, pick, plan, length, partitioned, faults)
    for i, event in seconds:
        days[i].events.append(event)
    for d in days:
        d.events.append(Event(length, "close"))
        d.events.sort(key=lambda e: (e.at, e.kind != "partition"))
    return Day(days, sorted(faults, key=lambda f: f.at), length, expected, hourly)


def _second_visits(days: list[BranchDay], pick: random.Random, plan: RehearsalPlan, length: float,
                   partitioned: list[int], faults: list[GlobalFault]) -> list[tuple[int, Event]]:
    n = len(days)
    if n < 2:
        return []
    out: list[tuple[int, Event]] = []
    voters = [(i, e) for i, d in enumerate(days) for e in d.events if e.kind == "voter"]
    for i, e in voters:
        if pick.random() < plan.second_branch_share and e.at + 1800 < length:
            out.append(((i + 1 + pick.randrange(n - 1)) % n, Event(e.at + 1800, "second", e.voter)))

    def staged(at: float, target: int) -> None:
        earlier = [(i, e) for i, e in voters if i != target and i not in partitioned and e.at < at - 600]
        if earlier:
            _, e = pick.choice(earlier)
            out.append((target, Event(at, "second", e.voter)))

    for i in partitioned:
        staged(0.25 * length + min(plan.partition_hours * 3600, 3600) / 2, i)
    for f in faults:
        if f.kind == "hq_kill":
            staged(f.at + plan.hq_down_seconds * plan.rate / 2, pick.randrange(n))
    return out
