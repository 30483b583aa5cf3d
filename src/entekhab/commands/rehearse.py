"""``entekhab polling rehearse``: a whole polling day, compressed, with faults, against gunicorn.

The rehearsal owns its database: a fresh SQLite file in the output folder by default, or a
PostgreSQL database whose name starts with ``entekhab_rehearsal`` (dropped and created
again), so it can never touch the operator's data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from entekhab.commands.say import fail, ident, num
from entekhab.i18n import N_, _

PG_PREFIX = "entekhab_rehearsal"


def fresh_database(url: str, out: Path) -> str:
    """The rehearsal's database, empty: a new SQLite file, or a dropped-and-created PostgreSQL database."""
    if not url:
        path = out / "rehearsal.sqlite3"
        for old in out.glob("rehearsal.sqlite3*"):
            old.unlink()
        return f"sqlite:///{path}"
    if not url.startswith("postgres"):
        fail("--database-url must be postgres://… or empty (a fresh SQLite file)")
    base, _sep, name = url.rpartition("/")
    if not name.startswith(PG_PREFIX):
        fail("the rehearsal drops and recreates its database: its name must start with %(prefix)s, not %(name)s",
             prefix=ident(PG_PREFIX), name=ident(name))
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def rehearse(
    out: Annotated[Path, typer.Option(help="folder for the report, figures, device journals")] = Path(
        "artifacts/rehearsal"),
    database_url: Annotated[str, typer.Option(help="postgres://…/entekhab_rehearsal… (else fresh SQLite)")] = "",
    scale: Annotated[str, typer.Option(help="small or tehran")] = "small",
    branches: Annotated[int, typer.Option(min=0, help="branches rehearsed (0: all)")] = 0,
    hour_seconds: Annotated[float, typer.Option(min=0.5, help="real seconds per polling hour")] = 60.0,
    turnout_scale: Annotated[float, typer.Option(min=0.0001, max=1.0, help="share of forecast voters sent")] = 1.0,
    processes: Annotated[int, typer.Option(min=1, max=64, help="device-agent processes")] = 2,
    threads: Annotated[int, typer.Option(min=1, max=512, help="branch threads per process")] = 8,
    web_workers: Annotated[int, typer.Option(min=1, max=64)] = 2,
    web_threads: Annotated[int, typer.Option(min=1, max=64)] = 4,
    heartbeat: Annotated[int, typer.Option(min=30, help="simulated seconds between heartbeats")] = 600,
    partitions: Annotated[int, typer.Option(min=0)] = 1,
    ebox_failures: Annotated[int, typer.Option(min=0)] = 1,
    hq_kills: Annotated[int, typer.Option(min=0)] = 1,
    db_drops: Annotated[int, typer.Option(min=0)] = 1,
    seed: int = 1405,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
) -> None:
    """Rehearse a polling day: real device agents, HQ under gunicorn, partitions, kill -9, dropped connections."""
    from entekhab.hq.polling.rehearsal.schedule import RehearsalPlan

    try:
        plan = RehearsalPlan(scale=scale, seed=seed, branches=branches, hour_seconds=hour_seconds,
                             turnout_scale=turnout_scale, processes=processes, threads=threads,
                             web_workers=web_workers, web_threads=web_threads, heartbeat_s=heartbeat,
                             partitions=partitions, ebox_failures=ebox_failures, hq_kills=hq_kills,
                             db_drops=db_drops)
    except ValueError as exc:
        fail("bad rehearsal plan: %(problem)s", problem=ident(str(exc)))
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    url = fresh_database(database_url, out)
    data_dir = out / "data"
    os.environ.update({"DATABASE_URL": url, "ENTEKHAB_DATA_DIR": str(data_dir), "ENTEKHAB_LOG_LEVEL": "ERROR"})
    from entekhab.hq.bootstrap import setup

    setup()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from entekhab.hq.polling.rehearsal.driver import rehearse as run
    from entekhab.hq.polling.rehearsal.report import write_report

    console = Console(stderr=True)
    names = {"prepare": _("preparing the database and the election"), "opening": _("opening the branches"),
             "day": _("polling day (events)")}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=as_json) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(names[phase], total=total)
            bar.update(tasks[phase], completed=done, total=total)

        figures = run(plan, database_url=url, data_dir=data_dir, out_dir=out, progress=progress)
    report = write_report(figures, out / "report.html")
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False, default=str))
        return
    show(figures, report)


def show(figures: dict[str, Any], report: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_("polling-day rehearsal"))
    table.add_column(_("figure"))
    table.add_column(_("value"))
    rows = [
        (N_("branches rehearsed"), num(figures["branches"])),
        (N_("check-ins HQ holds"), num(figures["checkins_in_database"])),
        (N_("check-ins per second, sustained"), num(figures["checkins_per_second"], 1)),
        (N_("check-in latency p50 (ms)"), num(figures["latency_ms"]["checkin_p50"], 1)),
        (N_("check-in latency p99 (ms)"), num(figures["latency_ms"]["checkin_p99"], 1)),
        (N_("duplicates accepted (must be 0)"), num(figures["duplicates_accepted"])),
        (N_("duplicates recorded as incidents"), f"{num(figures['double_checkin_incidents'])} / "
                                                 f"{num(figures['duplicates_recorded'])}"),
        (N_("acknowledged check-ins lost (must be 0)"), num(figures["acknowledged_lost"])),
        (N_("reports counted"), f"{num(figures['reports_stored'])} / {num(figures['branches'])}"),
        (N_("seconds from the last report to published results"),
         num(figures["results"]["seconds_to_published"], 1)),
        (N_("control room agrees with the database"), _(str(figures["control_room_agrees"]))),
    ]
    for label, value in rows:
        table.add_row(_(label), value)
    console = Console()
    console.print(table)
    console.print(_("report: %(path)s", path=ident(report)))


def register(app: typer.Typer) -> None:
    app.command("rehearse")(rehearse)
