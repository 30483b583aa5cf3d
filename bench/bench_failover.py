"""Kill the PostgreSQL primary under check-in load, promote its synchronous standby, resume: what is lost?

On one machine, two scratch clusters (``initdb`` as the ``postgres`` user, under a temporary
folder): a primary on port 5441 with ``synchronous_commit = on`` and
``synchronous_standby_names = 'standby1'``, and a streaming standby on 5442 made by
``pg_basebackup -R``. HQ (gunicorn, the lean device path) serves the primary while clients
send check-ins; mid-load the primary's postmaster gets SIGKILL, the standby is promoted,
and HQ is restarted on it. Every check-in a device was answered "accepted" for must be in
the promoted database.

The peer in the same run: the same day with ``synchronous_commit = local`` (the standby
asynchronous), where a commit is acknowledged before the standby has it.

Run: ``.venv/bin/python bench/bench_failover.py [--requests 4000] [--kill-after 1.5]``.
Needs root (to run the clusters as ``postgres``) or to be run as ``postgres``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from entekhab.hq.polling.loadgen import Server, prepare, send, sign_jobs, voters

BIN = Path("/usr/lib/postgresql/15/bin")
PRIMARY, STANDBY = 5441, 5442


def as_postgres(*args: str) -> list[str]:
    return list(args) if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]


def run(*args: str) -> None:
    subprocess.run(as_postgres(*args), check=True, capture_output=True, text=True)


def clusters(root: Path, synchronous: bool) -> tuple[Path, Path]:
    primary, standby = root / "primary", root / "standby"
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        root.parent.chmod(0o755)  # the clusters' owner must reach them
        shutil.chown(root, "postgres", "postgres")
    run(str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust")
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(f"port = {PRIMARY}\nlisten_addresses = '127.0.0.1'\nwal_level = replica\nmax_wal_senders = 4\n"
                   f"synchronous_commit = {'on' if synchronous else 'local'}\n"
                   "synchronous_standby_names = 'standby1'\nunix_socket_directories = '/tmp'\n")
    with (primary / "pg_hba.conf").open("a") as hba:
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    run(str(BIN / "pg_ctl"), "-D", str(primary), "-w", "-l", str(root / "primary.log"), "start")
    run(str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY), "-U", "postgres", "-D", str(standby),
        "-R", "-X", "stream")
    with (standby / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"port = {STANDBY}\nprimary_conninfo = 'host=127.0.0.1 port={PRIMARY} user=postgres "
                   "application_name=standby1'\n")
    run(str(BIN / "pg_ctl"), "-D", str(standby), "-w", "-l", str(root / "standby.log"), "start")
    return primary, standby


def stop(folder: Path) -> None:
    subprocess.run(as_postgres(str(BIN / "pg_ctl"), "-D", str(folder), "-m", "immediate", "stop"),
                   capture_output=True, check=False)


def day(root: Path, *, synchronous: bool, requests: int, kill_after: float) -> dict[str, object]:
    primary, standby = clusters(root, synchronous)
    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{PRIMARY}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE entekhab")
        url = f"postgres://postgres@127.0.0.1:{PRIMARY}/entekhab"
        creds = prepare(url, root / "data", devices=16)
        signed = sign_jobs(creds, [(i % len(creds), v) for i, v in enumerate(voters(requests, seed=77))])
        server = Server(url, root / "data", workers=2, threads=8)
        killed: dict[str, float] = {}

        def strike() -> None:
            time.sleep(kill_after)
            pid = int((primary / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)  # the primary machine dies: no shutdown, no flush
            killed["at"] = time.monotonic()

        killer = threading.Thread(target=strike)
        killer.start()
        results = send(server.port, signed, threads=16)
        killer.join()
        server.kill()
        run(str(BIN / "pg_ctl"), "-D", str(standby), "-w", "promote")
        # The promoted server has no standby of its own: with the primary's synchronous_standby_names it
        # would make every commit wait for one forever. Until a new standby joins, it commits alone.
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{STANDBY}/postgres", autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
            conn.execute("SELECT pg_reload_conf()")
        promoted = f"postgres://postgres@127.0.0.1:{STANDBY}/entekhab"
        resumed = Server(promoted, root / "data", workers=2, threads=8)  # HQ resumes on the new primary
        more = send(resumed.port, sign_jobs(creds, [(i % len(creds), v) for i, v in
                                                    enumerate(voters(200, seed=78))], first_seq=10**7), threads=8)
        resumed.stop()
        acked = {r.voter for r in results if r.status == 200 and r.code == "accepted"}
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{STANDBY}/entekhab") as conn:
            kept = {row[0] for row in conn.execute("SELECT national_code FROM polling_checkin")}
        return {"mode": "synchronous standby" if synchronous else "asynchronous standby (peer)",
                "sent": len(results), "acknowledged": len(acked), "acknowledged_lost": len(acked - kept),
                "resumed_accepted": sum(1 for r in more if r.status == 200 and r.code == "accepted"),
                "failed_during_kill": sum(1 for r in results if r.status != 200)}
    finally:
        stop(primary)
        stop(standby)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--kill-after", type=float, default=1.5, help="seconds of load before the kill")
    args = parser.parse_args()
    rows = []
    for synchronous in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(day(Path(tmp) / "pg", synchronous=synchronous, requests=args.requests,
                            kill_after=args.kill_after))
    print("Primary killed (SIGKILL) under check-in load, standby promoted, HQ resumed on it")
    print(f"{'mode':<30} {'sent':>6} {'acked':>6} {'acked lost':>11} {'refused/failed':>15} {'after resume':>13}")
    for r in rows:
        print(f"{r['mode']:<30} {r['sent']:>6} {r['acknowledged']:>6} {r['acknowledged_lost']:>11} "
              f"{r['failed_during_kill']:>15} {r['resumed_accepted']:>13}")


if __name__ == "__main__":
    main()
