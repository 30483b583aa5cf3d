"""Where a check-in's time goes inside HQ: cProfile over the lean handler, no HTTP, on PostgreSQL.

A scratch database ``entekhab_profile_checkin`` (migrate, small demo, 4 enrolled
authentication devices, ``entekhab.hq.polling.loadgen``); then, in this process, ``--requests``
pre-signed check-ins of fresh voters through ``endpoint.handle_raw`` (what the lean WSGI path
calls), one after another. Prints the handler's wall time per check-in and the functions with
the most own time, grouped so the share of signature checking, JSON, the ORM and the database
round trips can be read off.

Run: ``.venv/bin/python bench/profile_checkin.py [--requests 2000]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from entekhab.hq.polling.loadgen import prepare, sign_jobs, voters

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "entekhab_profile_checkin"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
GROUPS = {"signature (libsodium, canonical JSON)": ("signing", "canonical", "sodium", "nacl"),
          "database driver (psycopg, round trips)": ("psycopg",),
          "Django ORM and SQL compiler": ("django/db",),
          "JSON edge reader": ("edge", "json"),
          "message handling (polling.actions)": ("polling/actions", "records/messages")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    with tempfile.TemporaryDirectory() as tmp:
        creds = prepare(URL, Path(tmp), devices=4)
        os.environ.update({"DATABASE_URL": URL, "ENTEKHAB_DATA_DIR": tmp, "ENTEKHAB_LOG_LEVEL": "ERROR"})
        from entekhab.hq.bootstrap import setup

        setup()
        from entekhab.hq.polling.endpoint import handle_raw

        signed = sign_jobs(creds, [(i % len(creds), v) for i, v in enumerate(voters(args.requests + 50, seed=5))])
        for _, body in signed[:50]:  # warm-up: connection, caches
            handle_raw(body)
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        answers = [handle_raw(body) for _, body in signed[50:]]
        profile.disable()
        elapsed = time.perf_counter() - start
    accepted = sum(1 for status, body in answers if status == 200 and body.get("status") == "accepted")
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())  # own time of every function
    shares = dict.fromkeys(GROUPS, 0.0)
    other = 0.0
    for (filename, _, _), row in stats.stats.items():
        for group, needles in GROUPS.items():
            if any(n in filename for n in needles):
                shares[group] += row[2]
                break
        else:
            other += row[2]
    print(f"{accepted}/{len(answers)} accepted, {1000 * elapsed / len(answers):.2f} ms per check-in in the handler "
          f"(profiled; {len(answers) / elapsed:.0f}/s on one thread)")
    print("own time by group:")
    for group, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
        print(f"  {group:<42} {100 * seconds / total:5.1f} %")
    print(f"  {'everything else (waiting on the socket included)':<42} {100 * other / total:5.1f} %")
    print("top functions by own time:")
    stats.sort_stats("tottime").print_stats(12)
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
