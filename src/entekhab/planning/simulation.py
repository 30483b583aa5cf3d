"""Seeded discrete-event simulation of one branch's day: authentication → e-box.

Both stages are FIFO multi-server queues. A FIFO queue with ``c`` identical servers
can be simulated without an event calendar: take voters in arrival order and give
each the server that frees first (a heap of ``c`` free times). The start time is
``max(arrival, earliest free time)``. The e-box stage takes voters in the order they
leave authentication. Arrivals are a Poisson process whose rate is constant within
each hour (the scenario's profile); doors close at the end of the last hour and
everyone already in line is served. Randomness comes from a per-branch seed derived
from the scenario seed and the branch code (not Python's ``hash``), so a run is
reproducible whatever the number of worker processes.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from entekhab.i18n import en_fa
from entekhab.planning.branches import BranchLoad
from entekhab.planning.scenario import Scenario, WaitTarget
from entekhab.planning.service import ServiceModel
from entekhab.planning.validate import PlanningInputError


def branch_seed(seed: int, code: str, replication: int) -> np.random.SeedSequence:
    """A stable seed for one branch and replication (blake2b of the code, not ``hash``)."""
    digest = int.from_bytes(hashlib.blake2b(code.encode(), digest_size=8).digest(), "big")
    return np.random.SeedSequence([seed, digest, replication])


def poisson_arrivals(rng: np.random.Generator, hourly_rates: Sequence[float]) -> np.ndarray:
    """Arrival times (s since opening) of a Poisson process with piecewise-constant hourly rate.

    Given the count in an hour, Poisson arrivals are uniform in that hour.
    """
    counts = rng.poisson(np.asarray(hourly_rates, dtype=float))
    offsets = np.repeat(np.arange(len(hourly_rates), dtype=float) * 3600.0, counts)
    times = offsets + rng.random(offsets.size) * 3600.0
    times.sort()
    return times


def fifo_starts(arrivals: Sequence[float], services: Sequence[float], servers: int,
                ready_at: float = -math.inf) -> list[float]:
    """Service start times of a FIFO ``servers``-server queue; arrivals in time order.

    ``ready_at``: when the devices are up (a slow start at opening delays everyone).
    """
    if servers < 1:
        raise PlanningInputError("servers", *en_fa("must be ≥ 1"))
    if servers >= len(arrivals):
        return [a if a > ready_at else ready_at for a in arrivals]
    starts: list[float] = []
    append = starts.append
    if servers == 1:  # Lindley's recursion
        free = ready_at
        for a, s in zip(arrivals, services, strict=True):
            st = a if a > free else free
            free = st + s
            append(st)
        return starts
    heap = [ready_at] * servers
    replace = heapq.heapreplace
    for a, s in zip(arrivals, services, strict=True):
        f = heap[0]
        st = a if a > f else f
        replace(heap, st + s)
        append(st)
    return starts


@dataclass(frozen=True, eq=False)
class DayInputs:
    """The random draws of one simulated day, fixed before the devices are chosen.

    Reusing them across device counts (common random numbers) makes "one device
    fewer" a comparison of the same voters on the same day.
    """

    arrivals: np.ndarray
    auth_service: np.ndarray
    vote_service: np.ndarray
    close_seconds: float
    ready_at: float = 0.0

    @classmethod
    def draw(cls, rng: np.random.Generator, hourly_rates: Sequence[float],
             auth: ServiceModel, vote: ServiceModel, *, ready_at: float = 0.0) -> DayInputs:
        arrivals = poisson_arrivals(rng, hourly_rates)
        n = arrivals.size
        return cls(arrivals, auth.sample(rng, n), vote.sample(rng, n),
                   len(hourly_rates) * 3600.0, ready_at)


@dataclass(frozen=True, eq=False)
class VoterTrace:
    """Per-voter times (s since opening) of one simulated day, in arrival order."""

    arrival: np.ndarray
    auth_start: np.ndarray
    auth_end: np.ndarray
    vote_start: np.ndarray
    vote_end: np.ndarray
    close_seconds: float

    @property
    def voters(self) -> int:
        return int(self.arrival.size)

    @property
    def auth_wait(self) -> np.ndarray:
        return self.auth_start - self.arrival

    @property
    def vote_wait(self) -> np.ndarray:
        return self.vote_start - self.auth_end

    @property
    def total_wait(self) -> np.ndarray:
        """Time spent queueing, both stages together (what the target bounds)."""
        return self.auth_wait + self.vote_wait

    def queue_length(self, times: np.ndarray) -> np.ndarray:
        """Voters waiting (not in service) in either queue at each time."""
        def count(x: np.ndarray) -> np.ndarray:
            return np.searchsorted(np.sort(x), times, side="right")
        return (count(self.arrival) - count(self.auth_start)
                + count(self.auth_end) - count(self.vote_start))

    def in_line_at_close(self) -> int:
        """Voters who arrived before closing but had not reached an e-box by then."""
        return int(np.count_nonzero(self.vote_start > self.close_seconds))

    def last_departure(self) -> float:
        return float(self.vote_end.max()) if self.voters else 0.0


def run_day(inputs: DayInputs, auth_devices: int, eboxes: int) -> VoterTrace:
    """Run the tandem queue on fixed draws with the given device counts."""
    arr = inputs.arrivals
    if arr.size == 0:
        empty = np.zeros(0)
        return VoterTrace(empty, empty, empty, empty, empty, inputs.close_seconds)
    auth_start = np.asarray(fifo_starts(arr.tolist(), inputs.auth_service.tolist(),
                                        auth_devices, inputs.ready_at))
    auth_end = auth_start + inputs.auth_service
    order = np.argsort(auth_end, kind="stable")
    vote_start_sorted = fifo_starts(auth_end[order].tolist(),
                                    inputs.vote_service[order].tolist(), eboxes,
                                    inputs.ready_at)
    vote_start = np.empty_like(auth_end)
    vote_start[order] = vote_start_sorted
    return VoterTrace(arr, auth_start, auth_end, vote_start, vote_start + inputs.vote_service,
                      inputs.close_seconds)


def stage_rates(scenario: Scenario, branch: BranchLoad) -> tuple[float, ...]:
    """Expected arrivals per hour at a branch: eligible × turnout spread by the profile."""
    expected = branch.eligible_voters * scenario.turnout_for(branch.code)
    return scenario.profile.hourly_rates(expected)


def draw_days(scenario: Scenario, branch: BranchLoad,
              replications: int | None = None) -> tuple[DayInputs, ...]:
    """The branch's random days (one per replication), reproducible from the scenario seed."""
    rates = stage_rates(scenario, branch)
    vote = scenario.ballot_timing.distribution(branch.ballot)
    reps = scenario.replications if replications is None else replications
    return tuple(
        DayInputs.draw(np.random.default_rng(branch_seed(scenario.seed, branch.code, r)),
                       rates, scenario.authentication, vote,
                       ready_at=scenario.devices_ready_minutes * 60.0)
        for r in range(reps))


@dataclass(frozen=True)
class HourStats:
    """Voters arriving in one opening hour (mean per simulated day) and how long they waited."""

    hour: int
    arrivals: int
    mean_wait_minutes: float
    max_wait_minutes: float


@dataclass(frozen=True)
class DayStats:
    """What one branch's voters experienced (pooled over replications), in minutes."""

    voters: int
    days: int
    auth_devices: int
    eboxes: int
    mean_wait_minutes: float
    quantile_wait_minutes: float
    max_wait_minutes: float
    share_within_target: float
    meets_target: bool
    mean_auth_wait_minutes: float
    mean_vote_wait_minutes: float
    in_line_at_close: int
    overtime_minutes: float
    hours: tuple[HourStats, ...]


def within_target(waits: np.ndarray, target: WaitTarget) -> tuple[int, bool]:
    """How many waits are within the limit, and whether that is enough for the quantile."""
    n = waits.size
    ok = int(np.count_nonzero(waits <= target.max_wait_seconds))
    return ok, ok >= math.ceil(target.quantile * n - 1e-9)


def summarise(traces: Sequence[VoterTrace], target: WaitTarget, opening_hour: int,
              auth_devices: int, eboxes: int) -> DayStats:
    """Pool the days of one branch into plain figures a page can show."""
    total = np.concatenate([t.total_wait for t in traces])
    arrival = np.concatenate([t.arrival for t in traces])
    days = len(traces)
    n = int(total.size)
    ok, meets = within_target(total, target)
    hours_open = round(traces[0].close_seconds / 3600.0)
    hour_of = np.minimum((arrival // 3600.0).astype(int), hours_open - 1)
    hours: list[HourStats] = []
    for h in range(hours_open):
        w = total[hour_of == h]
        hours.append(HourStats(
            hour=opening_hour + h, arrivals=round(w.size / days),
            mean_wait_minutes=float(w.mean() / 60.0) if w.size else 0.0,
            max_wait_minutes=float(w.max() / 60.0) if w.size else 0.0))
    overtime = [max(0.0, t.last_departure() - t.close_seconds) for t in traces]
    return DayStats(
        voters=n // days if days else 0, days=days, auth_devices=auth_devices, eboxes=eboxes,
        mean_wait_minutes=float(total.mean() / 60.0) if n else 0.0,
        quantile_wait_minutes=(float(np.quantile(total, target.quantile,
                                                 method="inverted_cdf")) / 60.0) if n else 0.0,
        max_wait_minutes=float(total.max() / 60.0) if n else 0.0,
        share_within_target=ok / n if n else 1.0,
        meets_target=meets,
        mean_auth_wait_minutes=float(np.concatenate([t.auth_wait for t in traces]).mean()
                                     / 60.0) if n else 0.0,
        mean_vote_wait_minutes=float(np.concatenate([t.vote_wait for t in traces]).mean()
                                     / 60.0) if n else 0.0,
        in_line_at_close=round(sum(t.in_line_at_close() for t in traces) / days),
        overtime_minutes=float(np.mean(overtime) / 60.0),
        hours=tuple(hours),
    )


def simulate_branch(scenario: Scenario, branch: BranchLoad, auth_devices: int,
                    eboxes: int) -> DayStats:
    """Simulate a branch's day(s) with the given devices."""
    if auth_devices < 1 or eboxes < 1:
        raise PlanningInputError(f"branches[{branch.code}]",
                                 *en_fa("needs at least one authentication device and one e-box"))
    traces = [run_day(d, auth_devices, eboxes) for d in draw_days(scenario, branch)]
    return summarise(traces, scenario.target, scenario.profile.opening_hour,
                     auth_devices, eboxes)


def branch_trace(scenario: Scenario, branch: BranchLoad, auth_devices: int,
                 eboxes: int) -> VoterTrace:
    """The first simulated day in full, for charts of queue length over the day."""
    return run_day(draw_days(scenario, branch, 1)[0], auth_devices, eboxes)
