"""Bench: one polling day at every branch of the Tehran district, vs. a plain simpy model.

Run: ``.venv/bin/python bench/bench_planning.py [--workers N] [--sample-every K]``.

1. The synthetic Tehran–Rey–Tajrish district (4,950 branches, 7 M eligible), 45 %
   turnout, one simulated day per branch with the devices in inventory: wall time
   with N workers and with one.
2. The same model written the straightforward way in simpy (a process per voter,
   ``simpy.Resource`` per stage), on every K-th branch, with the same random draws:
   per-branch time, scaled to the district, and the ratio. The voter times of both
   are compared so the ratio is between simulations that agree.
3. Sizing the whole district (the search with the minimality check), for reference.
The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import replace

import numpy as np
import simpy

from entekhab.planning.district import default_workers, plan_district, simulate_district
from entekhab.planning.scenario import Scenario
from entekhab.planning.simulation import DayInputs, draw_days, run_day
from entekhab.planning.synthetic import synthetic_district


def simpy_day(d: DayInputs, auth_devices: int, eboxes: int) -> tuple[np.ndarray, np.ndarray]:
    """The tandem queue as simpy processes; returns the service start times of both stages."""
    env = simpy.Environment()
    auth, ebox = simpy.Resource(env, auth_devices), simpy.Resource(env, eboxes)
    n = d.arrivals.size
    s1, s2 = np.zeros(n), np.zeros(n)

    def voter(i: int):  # type: ignore[no-untyped-def]
        yield env.timeout(d.arrivals[i])
        with auth.request() as req:
            yield req
            s1[i] = env.now
            yield env.timeout(d.auth_service[i])
        with ebox.request() as req:
            yield req
            s2[i] = env.now
            yield env.timeout(d.vote_service[i])

    for i in range(n):
        env.process(voter(i))
    env.run()
    return s1, s2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--sample-every", type=int, default=25)
    args = parser.parse_args()

    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} (shared machine)")
    branches = synthetic_district(1405)
    scenario = Scenario("turnout-45", 0.45, replications=1)
    n = len(branches.branches)
    print(f"district: {n} branches, {branches.eligible_voters:,} eligible, turnout 45 %")

    t0 = time.perf_counter()
    day = simulate_district(scenario, branches, workers=args.workers)
    t_par = time.perf_counter() - t0
    print(f"one day, {args.workers} workers: {t_par:.2f} s for {day.voters:,} voters "
          f"({day.branches_missing_target} branches miss the target with today's devices)")

    t0 = time.perf_counter()
    simulate_district(scenario, branches, workers=1)
    t_one = time.perf_counter() - t0
    print(f"one day, 1 worker: {t_one:.2f} s ({t_one / n * 1000:.3f} ms per branch)")

    sample = branches.branches[:: args.sample_every]
    days = [draw_days(scenario, b, 1)[0] for b in sample]
    t0 = time.perf_counter()
    ours = [run_day(d, b.auth_devices, b.eboxes) for d, b in zip(days, sample, strict=True)]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = [simpy_day(d, b.auth_devices, b.eboxes) for d, b in zip(days, sample, strict=True)]
    t_simpy = time.perf_counter() - t0
    worst = max(float(np.max(np.abs(o.vote_start - r[1]))) if o.voters else 0.0
                for o, r in zip(ours, ref, strict=True))
    voters = sum(d.arrivals.size for d in days)
    print(f"sample: {len(sample)} branches, {voters:,} voters, same draws; "
          f"largest difference in e-box start times {worst:.2e} s")
    per_ours, per_simpy = t_ours / len(sample), t_simpy / len(sample)
    print(f"  event loop only: ours {per_ours * 1000:.3f} ms/branch, "
          f"simpy {per_simpy * 1000:.3f} ms/branch → ratio {per_simpy / per_ours:.1f}×")
    print(f"  simpy scaled to the district, 1 process: {per_simpy * n:.1f} s "
          f"(vs. ours end to end with 1 worker {t_one:.2f} s: "
          f"{per_simpy * n / t_one:.1f}×; with {args.workers} workers {t_par:.2f} s: "
          f"{per_simpy * n / t_par:.1f}×)")

    sizing = replace(scenario, replications=3)
    t0 = time.perf_counter()
    plan = plan_district(sizing, branches, workers=args.workers)
    t_plan = time.perf_counter() - t0
    d = plan.district
    print(f"sizing, 3 simulated days per branch, {args.workers} workers: {t_plan:.2f} s; "
          f"auth {d.auth.needed} + {d.auth.spares} spares vs {d.auth.available} "
          f"(short {d.auth.shortfall}); e-boxes {d.eboxes.needed} + {d.eboxes.spares} vs "
          f"{d.eboxes.available} (short {d.eboxes.shortfall}); "
          f"minimal {sum(s.minimal for s in plan.branches)}/{n}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
