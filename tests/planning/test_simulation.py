"""The simulation against Erlang C (steady state), simpy (same draws) and ciw (own draws)."""

from __future__ import annotations

import itertools
import math
import statistics

import ciw
import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.planning.branches import BranchLoad
from entekhab.planning.erlang import MMcQueue
from entekhab.planning.profiles import OFFICIAL
from entekhab.planning.scenario import Scenario
from entekhab.planning.service import TEHRAN_CITY, ServiceDistribution
from entekhab.planning.simulation import (
    DayInputs,
    VoterTrace,
    branch_trace,
    fifo_starts,
    run_day,
    simulate_branch,
)

Z99 = 2.576  # two-sided 99 % normal quantile; the runs are seeded, so the test is repeatable


def _ci_contains(samples: list[float], value: float) -> bool:
    m = statistics.fmean(samples)
    half = Z99 * statistics.stdev(samples) / math.sqrt(len(samples))
    return m - half <= value <= m + half


def test_steady_state_agrees_with_erlang_c() -> None:
    """Constant 200/h, exponential service: stage 1 is M/M/4 (60 s); by Burke's theorem its
    departures are Poisson, so stage 2 (120 s, 7 e-boxes) is the issue's M/M/7 reference."""
    auth = ServiceDistribution("exponential", 60.0)
    vote = ServiceDistribution("exponential", 120.0)
    rates = [200.0] * 24
    warmup = 2 * 3600.0
    w1_means, w2_means, w2_tail = [], [], []
    for day in range(40):
        d = DayInputs.draw(np.random.default_rng([1405, day]), rates, auth, vote)
        t = run_day(d, 4, 7)
        keep = t.arrival >= warmup
        w1_means.append(float(t.auth_wait[keep].mean()))
        w2_means.append(float(t.vote_wait[keep].mean()))
        w2_tail.append(float(np.mean(t.vote_wait[keep] > 600)))
    assert _ci_contains(w1_means, MMcQueue(200, 60, 4).mean_wait_seconds)
    ref = MMcQueue(200, 120, 7)
    assert _ci_contains(w2_means, ref.mean_wait_seconds)
    assert _ci_contains(w2_tail, ref.p_wait_exceeds(600))
    # ... and the check has teeth: eight e-boxes (0.80 min) lies far outside the interval.
    assert not _ci_contains(w2_means, MMcQueue(200, 120, 8).mean_wait_seconds)


def _simpy_trace(d: DayInputs, a: int, e: int) -> VoterTrace:
    """The same tandem queue written the straightforward way, as simpy processes."""
    env = simpy.Environment()
    auth, ebox = simpy.Resource(env, a), simpy.Resource(env, e)
    n = d.arrivals.size
    s1, s2 = np.zeros(n), np.zeros(n)

    def voter(i: int):  # type: ignore[no-untyped-def]
        yield env.timeout(d.arrivals[i] - env.now)
        with auth.request() as req:
            yield req
            s1[i] = env.now
            yield env.timeout(d.auth_service[i])
        with ebox.request() as req:
            yield req
            s2[i] = env.now
            yield env.timeout(d.vote_service[i])

    def device_starting(resource: simpy.Resource):  # type: ignore[no-untyped-def]
        with resource.request() as req:  # holds a device until it is ready
            yield req
            yield env.timeout(d.ready_at)

    if d.ready_at > 0:
        for resource, count in ((auth, a), (ebox, e)):
            for _ in range(count):
                env.process(device_starting(resource))
    for i in range(n):
        env.process(voter(i))
    env.run()
    return VoterTrace(d.arrivals, s1, s1 + d.auth_service, s2, s2 + d.vote_service,
                      d.close_seconds)


@pytest.mark.parametrize(("a", "e", "ready_minutes"),
                         [(1, 2, 0), (2, 3, 0), (1, 1, 0), (3, 6, 0), (1, 3, 20), (2, 4, 45)])
def test_same_draws_give_the_same_voter_times_as_simpy(a: int, e: int,
                                                       ready_minutes: float) -> None:
    scenario = Scenario("t", 0.7)
    vote = scenario.ballot_timing.distribution(TEHRAN_CITY)
    d = DayInputs.draw(np.random.default_rng(11), OFFICIAL.hourly_rates(1400 * 0.7),
                       scenario.authentication, vote, ready_at=ready_minutes * 60.0)
    ours, ref = run_day(d, a, e), _simpy_trace(d, a, e)
    np.testing.assert_allclose(ours.auth_start, ref.auth_start, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.vote_start, ref.vote_start, rtol=0, atol=1e-6)


def _ciw_day_mean_wait(seed: int, rates_per_hour: list[float]) -> float:
    """A time-varying day in ciw (minutes): its own arrivals and service draws."""
    ciw.seed(seed)
    hours = len(rates_per_hour)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.PoissonIntervals(
            [r / 60 for r in rates_per_hour], [60.0 * (h + 1) for h in range(hours)],
            60.0 * hours), None],
        service_distributions=[ciw.dists.Exponential(2.0),
                               ciw.dists.Gamma(1 / 0.45**2, 1.65 * 0.45**2)],
        number_of_servers=[1, 2],
        routing=[[0.0, 1.0], [0.0, 0.0]],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(60.0 * hours * 5)
    by_voter: dict[int, float] = {}
    for r in sim.get_all_records():
        by_voter[r.id_number] = by_voter.get(r.id_number, 0.0) + r.waiting_time
    return statistics.fmean(by_voter.values()) * 60.0


def test_time_varying_day_agrees_with_ciw() -> None:
    """Opening surge and evening peak, one authentication device (30 s) and two e-boxes
    (99 s gamma): mean total wait per day, ours vs. ciw, two-sample 99 % interval."""
    rates = list(OFFICIAL.hourly_rates(640))
    auth = ServiceDistribution("exponential", 30.0)
    vote = ServiceDistribution("gamma", 99.0, 0.45)
    ours = []
    for day in range(150):
        t = run_day(DayInputs.draw(np.random.default_rng([7, day]), rates, auth, vote), 1, 2)
        ours.append(float(t.total_wait.mean()))
    theirs = [_ciw_day_mean_wait(day, rates) for day in range(150)]
    diff = statistics.fmean(ours) - statistics.fmean(theirs)
    se = math.sqrt(statistics.variance(ours) / len(ours)
                   + statistics.variance(theirs) / len(theirs))
    assert abs(diff) <= Z99 * se
    assert statistics.fmean(ours) > 60  # a real queue forms: the comparison is not of zeros


@settings(max_examples=80, deadline=None)
@given(
    gaps=st.lists(st.floats(0, 100), min_size=1, max_size=60),
    services=st.lists(st.floats(0.1, 300), min_size=60, max_size=60),
    servers=st.integers(1, 6),
)
def test_fifo_queue_is_work_conserving_and_in_order(gaps: list[float], services: list[float],
                                                   servers: int) -> None:
    arrivals = list(np.cumsum(gaps))
    svc = services[: len(arrivals)]
    starts = fifo_starts(arrivals, svc, servers)
    assert all(s >= a for s, a in zip(starts, arrivals, strict=True))
    assert all(x <= y for x, y in itertools.pairwise(starts))  # first come, first served
    ends = [s + v for s, v in zip(starts, svc, strict=True)]
    for i, (s, a) in enumerate(zip(starts, arrivals, strict=True)):
        busy = sum(1 for j in range(i) if starts[j] <= s < ends[j])
        assert busy < servers  # a server is free when service starts
        if s > a:  # a voter who waited found every server busy just before starting
            assert sum(1 for j in range(i) if starts[j] < s and ends[j] >= s) >= servers


def test_doors_close_but_the_line_is_served() -> None:
    scenario = Scenario("t", 0.7)
    branch = BranchLoad("B", "r", "c", "d", 3000, TEHRAN_CITY, 1, 2)
    t = branch_trace(scenario, branch, 1, 2)
    assert t.arrival.max() < t.close_seconds
    assert np.all(np.isfinite(t.vote_end))
    assert t.in_line_at_close() > 0 and t.last_departure() > t.close_seconds
    stats = simulate_branch(scenario, branch, 1, 2)
    assert stats.overtime_minutes > 0 and not stats.meets_target
    assert abs(sum(h.arrivals for h in stats.hours) - stats.voters) <= len(stats.hours)


def test_slow_start_at_opening_lengthens_the_morning_queue() -> None:
    branch = BranchLoad("B", "r", "c", "d", 1400, TEHRAN_CITY, 1, 3)
    on_time = simulate_branch(Scenario("t", 0.45), branch, 1, 3)
    late = simulate_branch(Scenario("t", 0.45, devices_ready_minutes=40), branch, 1, 3)
    assert late.hours[0].mean_wait_minutes > on_time.hours[0].mean_wait_minutes + 10
    assert late.quantile_wait_minutes > on_time.quantile_wait_minutes


def test_reproducible_from_the_seed() -> None:
    scenario = Scenario("t", 0.45, seed=99)
    branch = BranchLoad("B", "r", "c", "d", 1400, TEHRAN_CITY, 1, 3)
    assert simulate_branch(scenario, branch, 1, 3) == simulate_branch(scenario, branch, 1, 3)
    other = Scenario("t", 0.45, seed=100)
    assert simulate_branch(other, branch, 1, 3) != simulate_branch(scenario, branch, 1, 3)
