"""Time and peak memory of `entekhab demo-data --scale tehran` on SQLite and PostgreSQL.

Each run is a fresh process (migrate + load), measured with wall-clock time and the
child's peak resident set size. PostgreSQL uses a scratch database `entekhab_bench`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/entekhab_bench"
ENTEKHAB = [sys.executable, "-m", "entekhab.cli"]


def _run(env: dict[str, str], label: str) -> tuple[float, float]:
    """Seconds and this child's own peak RSS in MiB (``wait4`` gives one child's usage)."""
    start = time.perf_counter()
    proc = subprocess.Popen([*ENTEKHAB, "demo-data", "--scale", "tehran", "--seed", "1405"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{label}: demo-data failed:\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def _fresh_pg() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS entekhab_bench")
        conn.execute("CREATE DATABASE entekhab_bench")


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ENTEKHAB_DATA_DIR": tmp}
        env.pop("DATABASE_URL", None)
        rows.append(("SQLite, first load (migrate + load)", *_run(env, "sqlite")))
        rows.append(("SQLite, reload over the previous copy", *_run(env, "sqlite")))
        print(f"SQLite file: {Path(tmp, 'entekhab.sqlite3').stat().st_size / 2**20:.1f} MiB")
    try:
        _fresh_pg()
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unavailable ({exc}); run scripts/ensure-postgres.sh")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "ENTEKHAB_DATA_DIR": tmp, "DATABASE_URL": PG_BENCH}
            rows.append(("PostgreSQL, first load (migrate + load)", *_run(env, "postgres")))
            rows.append(("PostgreSQL, reload over the previous copy", *_run(env, "postgres")))
    print("demo-data --scale tehran (6,700 branches, ≈ 9.9 M eligible voters)")
    print(f"{'run':45} {'seconds':>8} {'peak RSS MiB':>26}")
    for label, seconds, mib in rows:
        print(f"{label:45} {seconds:8.2f} {mib:26.0f}")


if __name__ == "__main__":
    main()
