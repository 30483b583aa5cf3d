"""The HQ side of a rehearsal: prepare the database, serve HQ under gunicorn, strike, measure.

Runs in the ``entekhab polling rehearse`` process, with Django set up on the rehearsal's own
database (never the operator's). The order of the day:

1. migrate, load the demo election at the chosen scale, open polling, issue every device's
   one-time enrolment code;
2. gunicorn serves HQ on a clock that runs in real time from half an hour before the opening;
   the device processes enrol and open their branches (zero report, mock poll);
3. gunicorn is restarted on the compressed clock, and the devices are told when the opening is;
4. the day runs: arrivals, partitions, the e-box replacement happen in the device processes,
   the HQ kill -9 and the dropped database connections here;
5. once every device has closed and synced, the figures are read from the database and from
   the devices' journals, the reports counted and the results published.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import queue as queue_module
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from entekhab.hq.polling.clock import ENVIRONMENT, CompressedDay
from entekhab.hq.polling.loadgen import Server, free_port
from entekhab.hq.polling.rehearsal.devices import BranchJob, WorkerSpec, worker_main
from entekhab.hq.polling.rehearsal.schedule import Day, RehearsalPlan, plan_day

Progress = Callable[[str, int, int], None]  # (phase, done, total)
OPENING_LEAD = dt.timedelta(minutes=30)  # simulated time the branches have to open before the polls


def _quiet(phase: str, done: int, total: int) -> None:
    return


def prepare(plan: RehearsalPlan) -> dict[str, Any]:
    """The fresh rehearsal database: the demo election at polling, every device's code, the day's plan."""
    from django.core.management import call_command

    from entekhab.device.adapters.civil_registry import DemoCivilRegistry, sample_people
    from entekhab.domain.jalali import TEHRAN
    from entekhab.domain.lifecycle import ElectionState
    from entekhab.hq.accounts.roles import sync_roles
    from entekhab.hq.capacity.loads import election_loads
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.demo.people import advance_to, demo_user
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.actions import do_create_enrolment
    from entekhab.hq.polling.control_room import _forecast
    from entekhab.planning.scenario import default_scenarios

    call_command("migrate", verbosity=0)
    load_demo(plan.scale, plan.seed)
    sync_roles()
    operator = demo_user("demo")
    election = advance_to(Election.objects.get(code="1405"), ElectionState.POLLING, reason="rehearsal")
    candidates = list(election.branches.filter(ballot_style__isnull=False).order_by("number"))
    n = plan.branches or len(candidates)
    chosen = [candidates[i * len(candidates) // n] for i in range(min(n, len(candidates)))]
    scenario, source = _forecast(election)
    if scenario is None:
        scenario, source = next(s for s in default_scenarios() if s.name == "turnout-45"), "turnout-45"
    loads = {b.code: b for b in election_loads(election).branches.branches}
    opening = dt.datetime.combine(election.polling_date, election.opens_at, tzinfo=TEHRAN)
    closing = dt.datetime.combine(election.polling_date, election.closes_at, tzinfo=TEHRAN)
    branch_loads = [loads[b.code] for b in chosen]
    expected = sum(b.eligible_voters * scenario.turnout_for(b.code) for b in branch_loads) * plan.turnout_scale
    people = sample_people(DemoCivilRegistry(seed=plan.seed), int(expected * 1.2) + 200, election.polling_date,
                           seed=plan.seed)
    day = plan_day(plan, scenario, branch_loads, people, length=(closing - opening).total_seconds())
    jobs = []
    for branch, branch_day in zip(chosen, day.branches, strict=True):
        codes = [do_create_enrolment(branch, serial=f"RH-{role.upper()}-{branch.code}", role=role,
                                     acting_user=operator)[1] for role in ("auth", "ebox")]
        jobs.append(BranchJob(branch.code, codes[0], codes[1], branch_day.events))
    return {"election": election.code, "opening": opening, "day": day, "jobs": jobs, "forecast": source,
            "branches_total": len(candidates)}


class HQ:
    """The HQ app under gunicorn on one port, restartable (kill -9 included) with the same clock."""

    def __init__(self, database_url: str, data_dir: Path, plan: RehearsalPlan) -> None:
        self.database_url, self.data_dir, self.plan = database_url, data_dir, plan
        self.port = free_port()
        self.clock = ""
        self.server: Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, clock: CompressedDay) -> None:
        self.clock = clock.encode()
        self.restart()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def kill(self) -> None:
        if self.server is not None:
            self.server.kill()
            self.server = None

    def restart(self) -> None:
        self.server = Server(self.database_url, self.data_dir, workers=self.plan.web_workers,
                             threads=self.plan.web_threads, port=self.port, env={ENVIRONMENT: self.clock})


def drop_connections(database_url: str) -> int:
    """Terminate every other session on the rehearsal's PostgreSQL database; how many went."""
    if not database_url.startswith("postgres"):
        return -1  # SQLite has no server connections to drop
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchall()
    return sum(1 for (ok,) in rows if ok)


def rehearse(plan: RehearsalPlan, *, database_url: str, data_dir: Path, out_dir: Path,
             progress: Progress = _quiet) -> dict[str, Any]:
    """One rehearsed polling day; returns its figures (also written to ``out_dir/figures.json``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "devices").mkdir(exist_ok=True)
    for old in (out_dir / "devices").glob("*.db*"):
        old.unlink()
    began = time.time()
    progress("prepare", 0, 1)
    prepared = prepare(plan)
    prepared_at = time.time()
    progress("prepare", 1, 1)
    day: Day = prepared["day"]
    opening: dt.datetime = prepared["opening"]
    hq = HQ(database_url, data_dir, plan)
    hq.start(CompressedDay(opening - OPENING_LEAD, time.time(), 1.0))  # opening in real time
    context = multiprocessing.get_context("spawn")
    notes, results = context.Queue(), context.Queue()
    controls = []
    jobs: list[BranchJob] = prepared["jobs"]
    procs = []
    faults: list[dict[str, Any]] = []
    try:
        for p in range(plan.processes):
            control = context.Queue()
            spec = WorkerSpec(hq.url, str(out_dir), hq.clock, opening.isoformat(), prepared["election"],
                              plan.heartbeat_s, plan.seed, plan.threads, tuple(jobs[p::plan.processes]))
            proc = context.Process(target=worker_main, args=(spec, notes, results, control), daemon=True)
            proc.start()
            procs.append(proc)
            controls.append(control)
        opened = _drain_until(notes, "opened", len(jobs), progress, procs)
        opened_at = time.time()
        # The day proper: HQ restarts on the compressed clock, the opening a moment from now.
        hq.stop()
        start_real = time.time() + 3.0
        clock = CompressedDay(opening, start_real, plan.rate)
        hq.start(clock)
        for control in controls:
            control.put(clock.encode())
        total_events = sum(len(j.events) for j in jobs)
        done_events = 0
        pending = list(day.faults)
        # A fault strikes at its time on the schedule and once the devices have done the events before it:
        # on a busy machine they fall behind the wall clock, and the fault must meet the same day.
        before = {id(f): sum(1 for j in jobs for e in j.events if e.at < f.at) for f in pending}
        outcomes: list[dict[str, Any]] = []
        while len(outcomes) < len(procs):
            while pending and time.time() >= clock.real(opening + dt.timedelta(seconds=pending[0].at)) \
                    and done_events >= before[id(pending[0])]:
                fault = pending.pop(0)
                faults.append(_strike(fault.kind, hq, database_url, plan))
            done_events += _drain(notes, "events", progress, done_events, total_events)
            try:
                outcomes.append(results.get(timeout=0.2))
            except queue_module.Empty:
                if not any(p.is_alive() for p in procs) and results.empty():
                    raise RuntimeError("a device process died without its results") from None
        day_over = time.time()
        for proc in procs:
            proc.join(timeout=30)
        figures = measure(plan, prepared, outcomes, faults, clock, database_url=database_url)
    finally:
        hq.stop()
        for proc in procs:
            if proc.is_alive():
                proc.kill()
    figures["seconds"] = {"total": round(time.time() - began, 1), "prepare": round(prepared_at - began, 1),
                          "opening": round(opened_at - prepared_at, 1),
                          "day": round(day_over - start_real, 1)}
    figures["opened"] = opened
    figures["plan"] = asdict(plan)
    (out_dir / "figures.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
    return figures


def _drain(notes: Any, kind: str, progress: Progress, done: int, total: int) -> int:
    added = 0
    while True:
        try:
            what, n = notes.get_nowait()
        except queue_module.Empty:
            break
        if what == kind:
            added += n
    if added:
        progress("day", done + added, total)
    return added


def _drain_until(notes: Any, kind: str, total: int, progress: Progress, procs: list[Any]) -> int:
    done = 0
    while done < total:
        try:
            what, n = notes.get(timeout=1)
        except queue_module.Empty:
            if not any(p.is_alive() for p in procs):
                raise RuntimeError("the device processes died while opening the branches") from None
            continue
        if what == kind:
            done += n
            progress("opening", done, total)
    return done


def _strike(kind: str, hq: HQ, database_url: str, plan: RehearsalPlan) -> dict[str, Any]:
    at = time.time()
    if kind == "hq_kill":
        hq.kill()
        time.sleep(plan.hq_down_seconds)
        hq.restart()
        return {"kind": kind, "at": at, "down_seconds": round(time.time() - at, 2)}
    dropped = drop_connections(database_url)
    return {"kind": kind, "at": at, "connections_dropped": dropped if dropped >= 0 else None}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(plan: RehearsalPlan, prepared: dict[str, Any], outcomes: list[dict[str, Any]],
            faults: list[dict[str, Any]], clock: CompressedDay, *, database_url: str) -> dict[str, Any]:
    """The figures, each read from where an auditor would read it: the database or the devices' journals."""
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import ExtractHour

    from entekhab.domain.jalali import TEHRAN
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.control_room import control_room
    from entekhab.hq.polling.models import BranchReport, CheckIn, DuplicateCheckIn, Incident, VoteRecord

    connection.close()  # the rehearsal dropped this process's connections too: the next query opens a fresh one
    election = Election.objects.get(code=prepared["election"])
    branches = [b for o in outcomes for b in o["branches"]]
    errors = [e for o in outcomes for e in o["errors"]]
    timings = [t for o in outcomes for t in o["timings"]]
    acked = [a for b in branches for a in b["accepted"]]
    acked_ids = {checkin for checkin, _ in acked}
    stored = dict(CheckIn.objects.filter(election=election, pk__in=acked_ids).values_list("pk", "national_code"))
    lost = sorted(acked_ids - set(stored))
    codes = Counter(stored.values())
    duplicates = DuplicateCheckIn.objects.filter(election=election)
    without_incident = duplicates.filter(incident__isnull=True).count()
    duplicate_codes = set(duplicates.values_list("national_code", flat=True))
    staged = {v for b in branches for v in b["second_offline"]}
    tally: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for b in branches:
        tally.update(b["tally"])
        refused.update(b["refused"])
    reports = BranchReport.objects.filter(branch__election=election)
    records = dict(VoteRecord.objects.filter(report__branch__election=election).values_list("report_id")
                   .annotate(n=Count("id")).order_by())
    records_short = [r.branch.code for r in reports.select_related("branch") if records.get(r.pk, 0) != r.ballots]
    checkin_latency = [s for kind, s, status in timings if kind == "checkin" and status in (200, 409)]
    online_ok = [s for kind, s, status in timings if kind == "checkin" and status == 200]
    # The day as it ran: from the opening to the last branch's close (later than planned on a busy machine).
    day_real = max((b["closed_at"] for b in branches), default=clock.real_start) - clock.real_start
    now = clock.at(time.time())
    room = control_room(election, now)
    db_checkins = CheckIn.objects.filter(election=election).count()
    reported_branches = reports.values("branch_id").distinct().count()
    hours = dict(CheckIn.objects.filter(election=election).annotate(h=ExtractHour("at", tzinfo=TEHRAN))
                 .values_list("h").annotate(n=Count("id")).order_by())
    control = {
        "checkins": [room.checkins, db_checkins],
        "reported": [room.states.get("reported", 0), reported_branches],
        "hourly_sum": [sum(a for _, a, _ in room.hours), db_checkins],
        "hours": [{h: a for h, a, _ in room.hours if a}, hours],
        "reconciled_plus_off": [room.reconciled + len(room.reconciliation), reports.count()],
        "reconciled": [room.reconciled, _reconciled(election)],
    }
    rehearsed = reports.filter(branch__code__in=[b["branch"] for b in branches])
    opening_hour = prepared["opening"].hour
    figures = {
        "hourly": [[opening_hour + h, hours.get(opening_hour + h, 0), round(f, 1)]
                   for h, f in enumerate(prepared["day"].hourly)],
        "branches": len(branches),
        "branches_in_election": prepared["branches_total"],
        "forecast": prepared["forecast"],
        "expected_voters": round(prepared["day"].expected_voters),
        "tally": dict(tally),
        "refused": dict(refused),
        "errors": errors[:50],
        "error_count": len(errors),
        "checkins_in_database": db_checkins,
        "acknowledged_checkins": len(acked_ids),
        "acknowledged_lost": len(lost),
        "lost_ids": lost[:20],
        "duplicates_accepted": sum(1 for n in codes.values() if n > 1),
        "duplicates_recorded": duplicates.count(),
        "duplicates_without_incident": without_incident,
        "double_checkin_incidents": Incident.objects.filter(election=election, kind="double_checkin").count(),
        "contradicted_offline_claims": Incident.objects.filter(election=election, kind="offline_contradicted").count(),
        "staged_offline_second_visits": len(staged),
        "staged_not_recorded": len(staged - duplicate_codes),
        "pending_after_close": sum(b["pending"] for b in branches),
        "reports_acknowledged": sum(1 for b in branches if b["report_acked"]),
        "reports_stored": rehearsed.count(),
        "reports_short_of_records": records_short,
        "replacements": sum(len(b["replaced"]) for b in branches),
        "faults": faults,
        "control_room": control,
        "control_room_agrees": all(a == b for a, b in control.values()),
        "latency_ms": {"checkin_p50": round(statistics.median(checkin_latency) * 1000, 1) if checkin_latency else 0,
                       "checkin_p99": round(_percentile(checkin_latency, 0.99) * 1000, 1),
                       "samples": len(checkin_latency)},
        "checkins_per_second": round(len(online_ok) / day_real, 2) if day_real > 0 else 0.0,
        "day_seconds_planned": round(prepared["day"].length / plan.rate, 1),
        "day_seconds_run": round(day_real, 1),
        "server_errors": Counter(str(status) for _, _, status in timings if status >= 500),
        "messages_sent": len(timings),
        "peak_checkins_per_second": _peak(election, clock),
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
    }
    figures["results"] = _publish(election, plan, branches)  # after the day's figures: it adds synthetic reports
    return figures


def _reconciled(election: Any) -> int:
    """Reported branches whose HQ check-ins equal the reported check-ins and cover the ballots (one query each)."""
    from entekhab.hq.polling.models import BranchReport, CheckIn

    fine = 0
    for report in BranchReport.objects.filter(branch__election=election):
        hq = CheckIn.objects.filter(election=election, branch_id=report.branch_id).count()
        fine += int(report.checkins == hq and report.ballots <= hq)
    return fine


def _peak(election: Any, clock: CompressedDay) -> int:
    """The busiest real second of online check-ins, from HQ's own stamps mapped back to real time."""
    from entekhab.hq.polling.models import CheckIn

    seconds = Counter(int(clock.real(at)) for at in CheckIn.objects.filter(election=election, offline=False)
                      .values_list("at", flat=True).iterator())
    return max(seconds.values(), default=0)


def _publish(election: Any, plan: RehearsalPlan, branches: list[dict[str, Any]]) -> dict[str, Any]:
    """Count every report and publish: the seconds from the last report stored to results out."""
    from entekhab.domain.lifecycle import ElectionState
    from entekhab.hq.demo.people import advance_to
    from entekhab.hq.polling.models import BranchReport
    from entekhab.hq.results.demo import run_results_demo
    from entekhab.hq.results.polling_day import store_polling_day

    rehearsed = {b["branch"] for b in branches}
    rest = list(election.branches.filter(ballot_style__isnull=False).exclude(code__in=rehearsed)
                .select_related("ballot_style", "election", "area").order_by("number"))
    if rest:  # branches the rehearsal did not run get the demo's synthetic signed reports, said so below
        store_polling_day(election, seed=plan.seed, branches=rest)
    start = time.time()
    advance_to(election, ElectionState.CLOSED, reason="rehearsal: polls closed")
    outcome = run_results_demo(election, simulate_if_empty=False, publish_all=True)
    return {"synthetic_reports": len(rest), "seconds_to_published": round(time.time() - start, 2),
            "counted_reports": BranchReport.objects.filter(branch__election=election).count(),
            "running_totals_agree": bool(outcome.get("running_totals_agree")),
            "recount_agrees": bool(outcome.get("recount_agrees"))}
