"""Operations bench: the seeded public draw at Tehran scale, against a peer in the same run.

Prints figures only (no pass/fail). The peer is the simplest non-verifiable alternative:
``random.Random(seed).shuffle`` of the entrants followed by the same slot filling.

    .venv/bin/python bench/bench_operations.py
"""

from __future__ import annotations

import random
import time

from entekhab.domain.draw import Entrant, Slot, run_draw

BRANCHES = 6_700  # the tehran demo
REGIONS = 35


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def peer(seed: str, entrants: list[Entrant], slots: list[Slot]) -> int:
    order = [e.id for e in entrants]
    random.Random(seed).shuffle(order)
    by_id = {e.id: e for e in entrants}
    used: set[str] = set()
    queues: dict[str, list[str]] = {}
    for eid in order:
        for k in by_id[eid].kinds:
            queues.setdefault(k, []).append(eid)
    placed = 0
    pointer: dict[str, int] = {}
    for s in sorted(slots, key=lambda s: (s.priority, s.id)):
        q = queues.get(s.kind, [])
        for _ in range(s.seats):
            i = pointer.get(s.kind, 0)
            while i < len(q) and q[i] in used:
                i += 1
            if i == len(q):
                break
            used.add(q[i])
            pointer[s.kind] = i + 1
            placed += 1
    return placed


def main() -> None:
    seed = "bench 1405"
    devices = [Entrant(f"D-{k:06d}", frozenset({f"{'authentication' if k % 2 else 'ebox'}@R{k % REGIONS:02d}"}))
               for k in range(int(BRANCHES * 2 * 1.3))]
    device_slots = [Slot(f"B{b:05d}/{kind}", f"{kind}@R{b % REGIONS:02d}", 1, -(b % 3))
                    for b in range(BRANCHES) for kind in ("authentication", "ebox")]
    roles = ["branch_head", "secretary", "member", "device_operator", "inspector", "governor_rep"]
    need = {"branch_head": 1, "secretary": 1, "member": 3, "device_operator": 2, "inspector": 1, "governor_rep": 1}
    mix = [r for r in roles for _ in range(need[r])]  # the pool's roles in proportion to the needs
    people = [Entrant(f"{k:010d}", frozenset({f"{mix[k % len(mix)]}@R{k % REGIONS:02d}"}),
                      frozenset({f"B{k % BRANCHES:05d}/member"}) if k % 100 == 0 else frozenset())
              for k in range(int(BRANCHES * 9 * 1.5))]
    staff_slots = [Slot(f"B{b:05d}/{r}", f"{r}@R{b % REGIONS:02d}", need[r], -(b % 3))
                   for b in range(BRANCHES) for r in roles]
    for name, entrants, slots in (("devices → branches", devices, device_slots),
                                  ("staff → branches", people, staff_slots)):
        result = run_draw(seed, "bench", entrants, slots)
        ours = timed(lambda e=entrants, s=slots: run_draw(seed, "bench", e, s))
        theirs = timed(lambda e=entrants, s=slots: peer(seed, e, s))
        print(f"{name}: {len(entrants):,} entrants, {len(slots):,} slots, {len(result.placements):,} placed, "
              f"{sum(s.missing for s in result.shortfalls):,} short; seeded SHA-256 draw {ours:.3f} s, "
              f"random.shuffle peer {theirs:.3f} s, ratio {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
