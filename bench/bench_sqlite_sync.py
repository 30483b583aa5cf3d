"""Benchmark: what ``synchronous=FULL`` costs the embedded SQLite database, against NORMAL, in one run.

One row per transaction into a table with the check-ins' unique key (election, national
code), as the check-in path commits, in WAL mode on the data folder's disk; alternating
rounds so that noise hits both. Prints commits/s for each and the ratio FULL / NORMAL.

    .venv/bin/python bench/bench_sqlite_sync.py [--rows 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path


def commits_per_second(path: Path, mode: str, rows: int, start: int) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={mode}")
    db.execute("CREATE TABLE IF NOT EXISTS checkin (election INTEGER, code TEXT, at TEXT, UNIQUE (election, code))")
    began = time.perf_counter()
    for i in range(start, start + rows):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO checkin VALUES (1, ?, '2026-05-01T09:00Z') ON CONFLICT DO NOTHING", (f"{i:010d}",))
        db.execute("COMMIT")
    seconds = time.perf_counter() - began
    db.close()
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1] / "data"
    here.mkdir(exist_ok=True)
    rates: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
    with tempfile.TemporaryDirectory(dir=here) as tmp:
        path = Path(tmp) / "sync.sqlite3"
        n = 0
        for _ in range(args.rounds):
            for mode in ("NORMAL", "FULL"):
                rates[mode].append(commits_per_second(path, mode, args.rows, n))
                n += args.rows
    print(f"SQLite WAL, one insert per transaction, {args.rows:,} rows × {args.rounds} rounds each, {here}")
    for mode, values in rates.items():
        print(f"  synchronous={mode:<6}  median {statistics.median(values):>9,.0f} commits/s"
              f"  (rounds: {', '.join(f'{v:,.0f}' for v in values)})")
    ratio = statistics.median(rates["FULL"]) / statistics.median(rates["NORMAL"])
    print(f"  FULL / NORMAL: {ratio:.2f}")


if __name__ == "__main__":
    main()
