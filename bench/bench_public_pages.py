"""The public results pages under load at Tehran scale on PostgreSQL: before and after, in one run.

1. Setup (not measured; skipped with ``--reuse``): a scratch database (``ENTEKHAB_BENCH_DB``,
   default ``entekhab_bench_pages``), ``migrate``, ``demo-data --scale tehran``, a synthetic
   polling day for every Tehran district branch (``bench/bench_results.py _generate``: 4,950
   e-box-signed reports, ≈ 1.5 M vote records and their check-ins), then
   ``entekhab results absorb`` counts them. No contest is certified: the pages show the live
   provisional results, as on the night, and no open data folder is written (the open data
   page shows that nothing is published yet).
2. Load: gunicorn (4 sync workers) on 127.0.0.1, wrk (2 threads, 50 connections, ``DURATION`` s)
   on each public page, three times against the same database:
   - **before**: the code before this change (the parent of the commit that took the absorb out
     of the pages, or ``--before REF``), checked out in a temporary git worktree and run from
     there: per-process memo keyed by the full path, reports absorbed on page views;
   - **after, local memory**: this code without ``REDIS_URL`` (one cache per worker);
   - **after, Redis**: this code with ``REDIS_URL=redis://127.0.0.1:6379/2`` (database 2 is
     flushed before and after), the production default.
   Each page is requested a few times before its run (a cold start is not load); branch
   reports rotate over 200 random branches and the branch search over 20 queries.

Run: ``.venv/bin/python bench/bench_public_pages.py`` (≈ 20 minutes with the setup, ≈ 8 with
``--reuse`` on a database a previous run left). ``--only before,redis`` picks the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = os.environ.get("ENTEKHAB_BENCH_DB", "entekhab_bench_pages")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH = f"postgres://postgres@127.0.0.1:5432/{DB}"
REDIS_URL = os.environ.get("ENTEKHAB_BENCH_REDIS", "redis://127.0.0.1:6379/2")
PORT = int(os.environ.get("ENTEKHAB_BENCH_PORT", "8102"))
WORKERS = 4
DURATION = 15  # seconds of load per page
AIM_MS = 300
RUNS = ("before", "locmem", "redis")
RUN_LABELS = {"before": "before", "locmem": "after, local memory", "redis": "after, Redis"}

WRK_SCRIPT = """
local paths = {}
local i = 0
init = function(args) for _, p in ipairs(args) do table.insert(paths, p) end end
request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %d %d\\n", summary.requests, summary.duration,
           latency:percentile(50) / 1000, latency:percentile(95) / 1000,
           summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def _child(args: list[str], env: dict[str, str], label: str) -> str:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"{label} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def child_paths() -> None:
    """The pages to load, chosen from the database: a council area with branches, random branches, queries."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entekhab.hq.settings")
    import django

    django.setup()
    from entekhab.hq.elections.models import Branch
    from entekhab.hq.polling.models import BranchReport

    codes = list(BranchReport.objects.order_by("?").values_list("branch__code", flat=True)[:200])
    council = Branch.objects.filter(election__code="1405", ballot_style__contests__code="council-tehran",
                                    counted_report__isnull=False).select_related("area").order_by("code").first()
    region = [p for p in council.area.path.split("/") if p][-1]
    venues = list(Branch.objects.filter(election__code="1405").order_by("?").values_list("venue_name", flat=True)[:20])
    queries = [v.split()[-1] for v in venues if v.split()]
    print(json.dumps({"branches": codes, "area": region, "queries": queries}))


def _pages(chosen: dict) -> dict[str, list[str]]:
    from urllib.parse import quote

    e = "/results/1405"
    return {
        "results index (redirect)": ["/results/"],
        "election overview": [f"{e}/"],
        "Tehran council (600+ candidates)": [f"{e}/contest/council-tehran/"],
        f"council area {chosen['area']}": [f"{e}/contest/council-tehran/area/{chosen['area']}/"],
        "branch list, pages 1-20": [f"{e}/branches/?page={n}" for n in range(1, 21)],
        "branch search, 20 venue words": [f"{e}/branches/?q={quote(q)}" for q in chosen["queries"]],
        "branch report, 200 random branches": [f"{e}/branch/{c}/" for c in chosen["branches"]],
        "turnout": [f"{e}/turnout/"],
        "open data": [f"{e}/open-data/"],
    }


def _fresh_db() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def _setup(env: dict[str, str]) -> None:
    entekhab = [sys.executable, "-m", "entekhab.cli"]
    try:
        _fresh_db()
    except Exception as exc:  # any connection problem means no PostgreSQL here
        sys.exit(f"PostgreSQL unavailable ({exc}); run scripts/ensure-postgres.sh")
    t = time.perf_counter()
    print("setup: migrate, demo-data --scale tehran, polling day, results absorb …", flush=True)
    _child([*entekhab, "migrate"], env, "migrate")
    _child([*entekhab, "demo-data", "--scale", "tehran", "--seed", "1405"], env, "demo-data")
    _child([sys.executable, str(ROOT / "bench" / "bench_results.py"), "_generate"], env, "polling day")
    print("  " + _child([*entekhab, "results", "absorb"], env, "absorb").strip(), flush=True)
    print(f"  setup {time.perf_counter() - t:.0f} s", flush=True)


def _before_ref() -> str:
    """The parent of the commit that took the absorb out of the public pages."""
    change = subprocess.run(["git", "log", "-1", "--format=%H", "-S", "absorb_new_reports(e)", "--",
                             "src/entekhab/hq/results/public.py"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    if not change:
        sys.exit("cannot find the change in the history; pass --before REF")
    return f"{change}^"


def _checkout(ref: str, where: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", str(where), ref], cwd=ROOT, check=True,
                   capture_output=True)
    for po in (where / "src").rglob("*.po"):
        subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    return where / "src"


def _wait_port(timeout: float = 90) -> None:
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", PORT)) == 0:
                return
        time.sleep(0.3)
    sys.exit("gunicorn did not start")


def _wrk(paths: list[str], script: Path) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", "-c50", f"-d{DURATION}s", "--timeout", "30s", "-s", str(script),
                          f"http://127.0.0.1:{PORT}", "--", *paths], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    requests, duration_us, p50, p95, status_errors, socket_errors = line.split()[1:]
    return {"rps": int(requests) / (int(duration_us) / 1e6), "p50_ms": float(p50), "p95_ms": float(p95),
            "errors": int(status_errors) + int(socket_errors)}


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # database 2 only


def _load(env: dict[str, str], pages: dict[str, list[str]], script: Path, label: str) -> dict[str, dict]:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", PORT)) == 0:
            sys.exit(f"port {PORT} is in use (set ENTEKHAB_BENCH_PORT)")
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "entekhab.hq.wsgi:application", "-w", str(WORKERS),
                                 "-b", f"127.0.0.1:{PORT}", "--timeout", "120", "--log-level", "warning"],
                                env=env, cwd=env.get("ENTEKHAB_BENCH_CWD", ROOT), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
    out: dict[str, dict] = {}
    try:
        _wait_port()
        for name, paths in pages.items():
            for path in paths[:1] * (WORKERS + 2) + paths[1:]:  # warm: each worker, then every path once
                subprocess.run(["curl", "-s", "-o", "/dev/null", "-m", "120", f"http://127.0.0.1:{PORT}{path}"],
                               check=False)
            out[name] = _wrk(paths, script)
            r = out[name]
            print(f"  [{label}] {name}: {r['rps']:.1f} req/s, p95 {r['p95_ms']:.0f} ms, errors {r['errors']}",
                  flush=True)
            time.sleep(3)  # let the workers drain what wrk left queued
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="load the database a previous run left")
    parser.add_argument("--before", help="git ref of the code before the change (default: found in the history)")
    parser.add_argument("--only", default=",".join(RUNS), help="comma-separated runs: before,locmem,redis")
    args = parser.parse_args()
    runs = [r for r in args.only.split(",") if r in RUNS]
    with tempfile.TemporaryDirectory() as tmp:
        base = {**os.environ, "ENTEKHAB_DATA_DIR": str(Path(tmp) / "data"), "DATABASE_URL": PG_BENCH,
                "DJANGO_SETTINGS_MODULE": "entekhab.hq.settings"}
        base.pop("REDIS_URL", None)
        after = {**base, "PYTHONPATH": str(ROOT / "src")}
        if not args.reuse:
            _setup(after)
        chosen = json.loads(_child([sys.executable, str(Path(__file__).resolve()), "_paths"], after,
                                   "paths").strip().splitlines()[-1])
        pages = _pages(chosen)
        script = Path(tmp) / "paths.lua"
        script.write_text(WRK_SCRIPT)
        results: dict[str, dict[str, dict]] = {}
        old_tree = Path(tmp) / "before"
        try:
            for run in runs:
                if run == "before":
                    ref = args.before or _before_ref()
                    src = _checkout(ref, old_tree)
                    print(f"before: {ref} in a temporary worktree", flush=True)
                    env = {**base, "PYTHONPATH": str(src), "ENTEKHAB_BENCH_CWD": str(old_tree)}
                elif run == "locmem":
                    env = after
                else:
                    _flush_redis()
                    env = {**after, "REDIS_URL": REDIS_URL}
                results[run] = _load(env, pages, script, RUN_LABELS[run])
                if run == "redis":
                    _flush_redis()
        finally:
            if old_tree.exists():
                subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, check=False)
    _print(results, pages)


def _print(results: dict[str, dict[str, dict]], pages: dict[str, list[str]]) -> None:
    print()
    print(f"Public pages at Tehran scale, PostgreSQL: gunicorn {WORKERS} sync workers, wrk 2 threads × 50 "
          f"connections, {DURATION} s per page (aim: p95 < {AIM_MS} ms)")
    head = f"{'page':36}" + "".join(f" | {RUN_LABELS[r]:>22}" for r in results)
    print(head)
    print(f"{'':36}" + "".join(f" | {'req/s':>8} {'p95 ms':>7} {'err':>5}" for _ in results))
    for name in pages:
        row = f"{name:36}"
        for run in results:
            r = results[run][name]
            row += f" | {r['rps']:8.1f} {r['p95_ms']:7.0f} {r['errors']:5d}"
        print(row)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_paths":
        child_paths()
    else:
        main()
