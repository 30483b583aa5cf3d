"""Totalisation and publication at Tehran scale on PostgreSQL, and public pages under load.

1. Setup (not measured): a scratch database ``entekhab_bench_results``, ``migrate`` and
   ``demo-data --scale tehran`` (≈ 4,950 branches in the Tehran district).
2. Polling day (measured, reported apart): every Tehran district branch gets ≈ 300 vote
   records and a final report signed by its e-box, in the real formats (``store_polling_day``),
   ≈ 1.5 M records in all; the intake's absorb-on-arrival signal is off so that step 3
   starts from "the last report has arrived" with nothing counted yet.
3. Totalise and publish (measured in a fresh process: wall time and peak RSS): absorb every
   report into the running totals, recompute them from the stored reports (must agree),
   compute, approve and confirm every contest's result, and write results.json,
   results.csv and the NIST SP 1500-100 export. The NIST SP 1500-103 vote-record export is
   measured on a sample of branches (its rate is given; the full export is ≈ 2 GB of JSON).
4. Load: gunicorn (2 workers) on 127.0.0.1 against the same database; wrk with 50
   connections on the public pages (election, Tehran council, a branch report chosen at
   random, turnout, QR check form): requests/s and p95 per page.

Run: ``.venv/bin/python bench/bench_results.py`` (≈ 10-15 minutes on the 2-core machine);
``--load-only`` re-runs step 4 on the database a full run left behind.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DB = "entekhab_bench_results"
PG_BENCH = f"postgres://postgres@127.0.0.1:5432/{DB}"
ROOT = Path(__file__).resolve().parents[1]
ENTEKHAB = [sys.executable, "-m", "entekhab.cli"]
VOTERS = (200, 406)  # mean ≈ 303 per branch → ≈ 1.5 M records over ≈ 4,950 branches
CVR_SAMPLE = 200
PORT = 8917
DURATION = 20  # seconds of load per page


def _child(args: list[str], env: dict[str, str], label: str) -> tuple[float, float, str]:
    """Run a setup child; (seconds, nan, stdout)."""
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{label} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start, float("nan"), proc.stdout


def _run_measured(args: list[str], env: dict[str, str], label: str) -> tuple[float, float, str]:
    """Like :func:`_child` but reaping with wait4 so the child's own peak RSS is known."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out_path = proc.stdout
    chunks = out_path.read() if out_path else ""
    err = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{label} failed:\n{err[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, chunks


# -- children ------------------------------------------------------------------------------

def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entekhab.hq.settings")
    import django

    django.setup()


def child_generate() -> None:
    _django()
    from django.db.models.signals import post_save

    from entekhab.hq.elections.models import Branch, Contest, Election
    from entekhab.hq.results.polling_day import store_polling_day

    post_save.disconnect(sender="polling.BranchReport", dispatch_uid="results-absorb")
    election = Election.objects.get(code="1405")
    council = Contest.objects.get(election=election, method="proportional-list")
    branches = list(Branch.objects.filter(election=election, ballot_style__contests=council)
                    .select_related("ballot_style", "election", "area").order_by("number"))
    totals = {"branches": 0, "ballots": 0}
    for start in range(0, len(branches), 250):
        got = store_polling_day(election, seed=start, voters=VOTERS, branches=branches[start:start + 250],
                                checkins=True, fast_tally=True)  # ballots ≤ check-ins or certification refuses
        totals["branches"] += got["branches"]
        totals["ballots"] += got["ballots"]
        print(f"  {totals['branches']:,} branches, {totals['ballots']:,} records", file=sys.stderr, flush=True)
    print(json.dumps(totals))


def child_totalise(out_dir: str) -> None:
    _django()
    from django.contrib.auth.models import Group, User

    from entekhab.hq.elections.models import Contest, Election
    from entekhab.hq.results.actions import do_certify, do_compute_result, election_inputs, public_results
    from entekhab.hq.results.totals import absorb_new_reports, check_running_totals
    from entekhab.publication.nist import results_report
    from entekhab.publication.opendata import results_csv

    def board(name: str, role: str) -> User:
        user, _ = User.objects.get_or_create(username=name)
        user.groups.add(Group.objects.get(name=role))
        return User.objects.get(pk=user.pk)

    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    election = Election.objects.get(code="1405")
    absorbed = absorb_new_reports(election)
    marks["absorb"] = time.perf_counter() - t0
    t = time.perf_counter()
    disagreements = check_running_totals(election)
    marks["recompute_check"] = time.perf_counter() - t
    t = time.perf_counter()
    executive, supervisor = board("bench-exec", "executive_board"), board("bench-super", "supervisory_board")
    contests = list(Contest.objects.filter(election=election).select_related("area", "election"))
    inputs = election_inputs(election)
    for contest in contests:
        version = do_compute_result(contest, acting_user=executive, inputs=inputs)
        # publish=False: the open data is measured on its own below, not once per contest.
        do_certify(do_certify(version, "approve", acting_user=executive), "confirm", acting_user=supervisor,
                   publish=False)
    marks["compute_and_certify"] = time.perf_counter() - t
    t = time.perf_counter()
    inputs = election_inputs(election)
    results = public_results(election, inputs)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False))
    (folder / "results.csv").write_text(results_csv(results))
    (folder / "results_nist.json").write_text(json.dumps(results_report(results, generated="2026-05-01T23:00:00Z"),
                                                         ensure_ascii=False))
    marks["results_files"] = time.perf_counter() - t
    marks["total"] = time.perf_counter() - t0
    council = next(c for c in results["contests"] if c["method"] == "tehran-pr")
    print(json.dumps({"marks": marks, "counted": absorbed.counted, "conflicts": absorbed.conflicts,
                      "disagreements": len(disagreements), "contests": len(contests),
                      "council_seats": council["result"]["group_seats"],
                      "council_ballots": council["totals"]["ballots"],
                      "files_bytes": sum(p.stat().st_size for p in folder.iterdir())}))


def child_cvr_sample() -> None:
    _django()
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.models import VoteRecord
    from entekhab.hq.results.actions import election_inputs
    from entekhab.hq.results.models import CountedReport
    from entekhab.publication.nist import cvr_report

    election = Election.objects.get(code="1405")
    inputs = election_inputs(election)
    counted = list(CountedReport.objects.filter(election=election).select_related("report", "branch")
                   .order_by("id")[:CVR_SAMPLE])
    t = time.perf_counter()
    records = size = 0
    for c in counted:
        rows = list(VoteRecord.objects.filter(report_id=c.report_id).order_by("id").values_list("ballot", flat=True))
        codes = [row["code"] for row in c.report.document["report"]["contests"]]
        doc = cvr_report(election="1405", branch=c.branch.code, device=c.report.document["report"]["device"],
                         contests=[inputs.infos[k] for k in codes], records=rows, generated="2026-05-01T23:00:00Z")
        size += len(json.dumps(doc, ensure_ascii=False).encode())
        records += len(rows)
    print(json.dumps({"branches": len(counted), "records": records, "seconds": time.perf_counter() - t,
                      "bytes": size}))


def child_urls() -> None:
    _django()
    from entekhab.hq.polling.models import BranchReport

    codes = list(BranchReport.objects.order_by("?").values_list("branch__code", flat=True)[:200])
    print(json.dumps(codes))


# -- orchestration -------------------------------------------------------------------------

def _fresh_db() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")


def _wait_port(port: int, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    sys.exit("gunicorn did not start")


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


def _wrk(paths: list[str], script: Path) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", "-c50", f"-d{DURATION}s", "--timeout", "30s", "-s", str(script),
                          f"http://127.0.0.1:{PORT}", "--", *paths], capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    requests, duration_us, p50, p95, status_errors, socket_errors = line.split()[1:]
    return {"rps": int(requests) / (int(duration_us) / 1e6), "p50_ms": float(p50), "p95_ms": float(p95),
            "non_2xx": int(status_errors), "socket_errors": int(socket_errors), "requests": int(requests)}


def load_only() -> None:
    """Re-run step 4 against the database a previous full run left behind."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ENTEKHAB_DATA_DIR": tmp, "DATABASE_URL": PG_BENCH, "PYTHONPATH": str(ROOT / "src"),
               "DJANGO_SETTINGS_MODULE": "entekhab.hq.settings"}
        load = _load(env, Path(tmp))
    _print_load(load)


def _load(env: dict[str, str], tmp: Path) -> dict[str, dict[str, float]]:
    me = [sys.executable, str(Path(__file__).resolve())]
    _, _, out = _child([*me, "_urls"], env, "urls")
    branch_codes = json.loads(out.strip().splitlines()[-1])
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "entekhab.hq.wsgi:application", "-w", "2",
                                 "-b", f"127.0.0.1:{PORT}", "--timeout", "120", "--log-level", "warning"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    load: dict[str, dict[str, float]] = {}
    try:
        _wait_port(PORT)
        script = tmp / "paths.lua"
        script.write_text(WRK_SCRIPT)
        pages = {
            "election overview": ["/results/1405/"],
            "Tehran council (seats, charts, 600+ candidates)": ["/results/1405/contest/council-tehran/"],
            "turnout": ["/results/1405/turnout/"],
            "QR check form": ["/results/1405/check/"],
            "branch report, 200 random branches (cold)": [f"/results/1405/branch/{c}/" for c in branch_codes],
            "QR code image (SVG), 200 random branches": [f"/results/1405/branch/{c}/qr/1.svg" for c in branch_codes],
        }
        for paths in pages.values():  # each worker computes the first page once (a cold start is not load)
            for _ in range(6):
                subprocess.run(["curl", "-s", "-o", "/dev/null", "-m", "60", f"http://127.0.0.1:{PORT}{paths[0]}"],
                               check=False)
        for label, paths in pages.items():
            load[label] = _wrk(paths, script)
            print(f"  {label}: {load[label]['rps']:.1f} req/s, p95 {load[label]['p95_ms']:.0f} ms", flush=True)
            time.sleep(5)  # let the workers drain what wrk left queued
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    return load


def _print_load(load: dict[str, dict[str, float]]) -> None:
    print()
    print(f"Public pages under load: gunicorn 2 workers, wrk 2 threads × 50 connections, {DURATION} s each")
    print(f"{'page':52} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    for label, r in load.items():
        print(f"{label:52} {r['rps']:8.1f} {r['p50_ms']:8.0f} {r['p95_ms']:8.0f} "
              f"{r['non_2xx'] + r['socket_errors']:7d}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ENTEKHAB_DATA_DIR": tmp, "DATABASE_URL": PG_BENCH, "PYTHONPATH": str(ROOT / "src"),
               "DJANGO_SETTINGS_MODULE": "entekhab.hq.settings"}
        try:
            _fresh_db()
        except Exception as exc:  # any connection problem means no PostgreSQL here
            sys.exit(f"PostgreSQL unavailable ({exc}); run scripts/ensure-postgres.sh")
        print("setup: migrate and demo-data --scale tehran …", flush=True)
        setup_s, _, _ = _child([*ENTEKHAB, "migrate"], env, "migrate")
        load_s, _, _ = _child([*ENTEKHAB, "demo-data", "--scale", "tehran", "--seed", "1405"], env, "demo-data")
        print(f"  migrate {setup_s:.0f} s, demo-data {load_s:.0f} s", flush=True)

        print("polling day: signed reports and vote records for every Tehran district branch …", flush=True)
        me = [sys.executable, str(Path(__file__).resolve())]
        gen_s, gen_rss, out = _run_measured([*me, "_generate"], env, "generate")
        generated = json.loads(out.strip().splitlines()[-1])
        print(f"  {generated['branches']:,} branches, {generated['ballots']:,} vote records in {gen_s:.0f} s "
              f"(peak RSS {gen_rss:.0f} MiB)", flush=True)

        print("totalise and publish (fresh process) …", flush=True)
        tot_s, tot_rss, out = _run_measured([*me, "_totalise", str(Path(tmp) / "results")], env, "totalise")
        summary = json.loads(out.strip().splitlines()[-1])
        _, _, out = _run_measured([*me, "_cvr"], env, "cvr sample")
        cvr = json.loads(out.strip().splitlines()[-1])

        print("load: gunicorn (2 workers) + wrk (50 connections) …", flush=True)
        load = _load(env, Path(tmp))

    marks = summary["marks"]
    print()
    print(f"Totalisation and publication, PostgreSQL, {summary['counted']:,} branch reports "
          f"({generated['ballots']:,} vote records), {summary['contests']} contests")
    print(f"{'step':52} {'seconds':>9}")
    for label, key in (("absorb every report into running totals", "absorb"),
                       ("recompute from stored reports (must agree)", "recompute_check"),
                       ("compute + approve + confirm every contest", "compute_and_certify"),
                       ("results.json, results.csv, NIST 1500-100 export", "results_files"),
                       ("total, from the last report's arrival", "total")):
        print(f"{label:52} {marks[key]:9.1f}")
    print(f"process wall time (with Django start-up) {tot_s:.1f} s; peak RSS {tot_rss:.0f} MiB")
    print(f"running totals agree with the recomputation: {summary['disagreements'] == 0}; "
          f"conflicts: {summary['conflicts']}")
    print(f"Tehran council ballots {summary['council_ballots']:,}; seats {summary['council_seats']}")
    rate = cvr["records"] / cvr["seconds"] if cvr["seconds"] else 0
    print(f"NIST 1500-103 vote records: {cvr['records']:,} records of {cvr['branches']} branches in "
          f"{cvr['seconds']:.1f} s ({rate:,.0f} records/s, {cvr['bytes'] / max(cvr['records'], 1):,.0f} B/record); "
          f"extrapolated full export ≈ {generated['ballots'] / rate / 60 if rate else 0:.1f} min, "
          f"≈ {generated['ballots'] * cvr['bytes'] / max(cvr['records'], 1) / 2**30:.1f} GiB")
    print(f"(setup: migrate {setup_s:.0f} s, demo-data {load_s:.0f} s; polling day generation {gen_s:.0f} s)")
    _print_load(load)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_generate":
        child_generate()
    elif len(sys.argv) > 1 and sys.argv[1] == "_totalise":
        child_totalise(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "_cvr":
        child_cvr_sample()
    elif len(sys.argv) > 1 and sys.argv[1] == "_urls":
        child_urls()
    elif len(sys.argv) > 1 and sys.argv[1] == "--load-only":
        load_only()
    else:
        main()
