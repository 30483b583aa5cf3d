"""Benchmark: what the contest page adds to a Tehran-sized count (pure, no database).

Contest: 30 lists × 15 members + 150 independents = 600 candidates, 21 seats, 11
alternates, seeded random totals. Prints the time of the legal count itself (for scale),
of reading its seat table back from the published steps, of rendering every step in
names (Persian), and of one what-if count (the ``entekhab count`` input rebuilt from a
``results.json``-like entry, counted, tabled and named) per method. Best of ``--repeat``.

    .venv/bin/python bench/bench_seats.py [--seed 1405] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from entekhab.counting.contest import CandidateTotal, ContestTotals, GroupTotal
from entekhab.counting.methods import count, count_json
from entekhab.counting.seat_table import seat_table
from entekhab.hq.web.seats import named_steps
from entekhab.publication.seats import whatif_input
from sample_text import FA

N_LISTS, LIST_SIZE, N_INDEPENDENTS, SEATS, ALTERNATES = 30, 15, 150, 21, 11
METHODS = ("dhondt", "sainte-lague", "hare-lr", "droop-lr")


def build(seed: int) -> tuple[ContestTotals, dict]:
    rng = random.Random(seed)
    candidates, groups, rows = [], [], []
    for g in range(N_LISTS):
        members = []
        for k in range(LIST_SIZE):
            cid = f"D{g:02d}{k:02d}"
            candidates.append(CandidateTotal(cid, rng.randint(0, 400_000), rng.random() < .1, rng.randint(0, 6)))
            members.append(cid)
            rows.append({"id": cid, "votes": candidates[-1].votes, "list": f"L{g:02d}",
                         "name_fa": FA["candidate"].format(g=g, k=k), "name_en": f"Candidate {g} {k}"})
        groups.append(GroupTotal(f"L{g:02d}", tuple(members)))
    for k in range(N_INDEPENDENTS):
        cid = f"I{k:03d}"
        candidates.append(CandidateTotal(cid, rng.randint(0, 60_000)))
        rows.append({"id": cid, "votes": candidates[-1].votes, "list": None, "name_fa": FA["independent"].format(k=k),
                     "name_en": f"Independent {k}"})
    contest = ContestTotals(method="tehran-pr", seats=SEATS, alternates=ALTERNATES, groups=tuple(groups),
                            candidates=tuple(candidates), seed=str(seed))
    entry = {"seats": SEATS, "seed": str(seed), "candidates": rows,
             "lists": [{"id": g.id, "code": str(100 + n), "title_fa": FA["list"].format(n=n), "title_en": f"List {n}"}
                       for n, g in enumerate(groups)]}
    return contest, entry


def best(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1405)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    contest, entry = build(args.seed)
    steps = [s.as_json() for s in count(contest).steps]
    names = {r["id"]: (r["name_fa"], r["name_en"]) for r in entry["candidates"]}
    names.update({x["id"]: (x["title_fa"], x["title_en"]) for x in entry["lists"]})
    print(f"contest: {N_LISTS} lists × {LIST_SIZE} + {N_INDEPENDENTS} independents, {SEATS} seats; "
          f"{len(steps)} steps; best of {args.repeat}")
    for what, fn in (("legal count (tehran-pr)", lambda: count(contest)),
                     ("seat table from the steps", lambda: seat_table("tehran-pr", steps)),
                     ("every step in names (Persian)", lambda: named_steps(steps, "fa", names))):
        print(f"  {what:<31} {best(args.repeat, fn) * 1e3:8.2f} ms")
    for m in METHODS:
        def whatif(m: str = m) -> None:
            counted = count_json(whatif_input(entry, m)).as_json()
            seat_table(m, counted["steps"])
            named_steps(counted["steps"], "fa", names)

        print(f"  what-if {m:<13} (all of it)  {best(args.repeat, whatif) * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
