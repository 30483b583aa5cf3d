"""Platform commands: migrate, manage, serve, worker, demo-data, demo, national-code."""

from __future__ import annotations

import os
import secrets
import sys
from typing import Annotated

import typer

from entekhab.commands.say import fail, fail_error, ident, num, say
from entekhab.i18n import N_, _, current

WEB_TIMEOUT_SECONDS = 120


def _django() -> None:
    from entekhab.hq.bootstrap import setup

    setup()


def migrate(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Create or update the database schema."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)
    typer.echo("database is up to date")


def manage(ctx: typer.Context) -> None:
    """Run any Django management command: entekhab manage check --deploy."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["entekhab manage", *ctx.args])


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    web_workers: Annotated[int, typer.Option("--web-workers", "--workers", min=1, max=64,
                                             help="processes for the staff and public pages")] = 2,
    device_workers: Annotated[int, typer.Option(
        "--device-workers", min=0, max=64,
        help="processes for the branch devices on --device-port; 0: the web pool answers them too")] = 0,
    device_threads: Annotated[int, typer.Option(min=1, max=64, help="threads per device process")] = 8,
    device_port: Annotated[int, typer.Option(min=0, max=65535, help="port of the device pool; 0: PORT + 1")] = 0,
    task_worker: Annotated[bool, typer.Option(
        "--task-worker/--no-task-worker",
        help="also run one task worker (large plan runs); --no-task-worker where `entekhab worker` "
             "runs as a service of its own")] = True,
) -> None:
    """Serve HQ with gunicorn: the web pool, a device pool if asked for, and a task worker.

    Device messages take the lean path on either pool (entekhab.hq.polling.wsgi). A device pool
    of its own keeps the check-in peak from taking the workers the staff pages need: its threads
    share each commit's WAL flush, and its port answers nothing but what a device asks for.
    """
    _django()
    from django.conf import settings

    if settings.PRODUCTION:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    servers = [_gunicorn("entekhab.hq.polling.wsgi:application", host, port, web_workers)]
    if device_workers:
        servers.append(_gunicorn("entekhab.hq.polling.wsgi:device_application", host, device_port or port + 1,
                                 device_workers, threads=device_threads))
    if len(servers) == 1 and not task_worker:
        os.execvp(sys.executable, servers[0])
    from entekhab.commands.supervise import supervise

    workers = [[sys.executable, "-m", "entekhab.cli", "worker"]] if task_worker else []
    raise typer.Exit(supervise(servers, workers, echo=typer.echo))


def _gunicorn(app: str, host: str, port: int, workers: int, *, threads: int = 1) -> list[str]:
    # --timeout: the first view of a large PDF version is laid out in the request (the Tehran
    # booklet ≈ 9 s on a quiet 2-core machine, 30 s under load); gunicorn's default 30 s would kill it.
    argv = [sys.executable, "-m", "gunicorn", app, "--bind", f"{host}:{port}", "--workers", str(workers),
            "--timeout", str(WEB_TIMEOUT_SECONDS), "--access-logfile", "-"]
    if threads > 1:
        argv += ["--worker-class", "gthread", "--threads", str(threads)]
    return argv


def worker(
    batch: Annotated[bool, typer.Option("--batch", help="run the queued tasks, then exit")] = False,
    interval: Annotated[float, typer.Option(min=0.0, help="seconds between looks at an empty queue")] = 1.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the task queue (large capacity plan runs): as many as you like, on any host that reaches the database."""
    _django()
    from django.core.management import call_command

    call_command("db_worker", batch=batch, interval=interval, reload=False, startup_delay=not batch,
                 verbosity=2 if verbose else 1)


def demo_data(
    scale: Annotated[str, typer.Option(help="small (seconds, for tests) or tehran (real scale)")] = "small",
    seed: Annotated[int, typer.Option(help="same seed, same election")] = 1405,
) -> None:
    """Load the deterministic 1405 demo election (replaces an earlier demo copy)."""
    if scale not in ("small", "tehran"):
        fail("unknown scale %(scale)s: use small or tehran", scale=ident(repr(scale)))
    _django()
    from django.core.management import call_command
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from entekhab.hq.demo.load import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console) as bar:
        tasks: list[int] = []

        def step(what: str, n: int) -> None:
            for t in tasks:
                bar.update(t, completed=1)
            tasks.append(bar.add_task(f"{what} ({n:,})", total=1))

        demo = load_demo(scale, seed, step=step)
        for t in tasks:
            bar.update(t, completed=1)
    console.print(
        f"[green]demo election loaded[/]: scale={scale} seed={seed}, {len(demo.areas):,} areas, "
        f"{len(demo.contests):,} contests, {len(demo.branches):,} branches, "
        f"{demo.eligible:,} estimated eligible voters"
    )


def _demo_logins() -> list[tuple[str, str, str]]:
    from entekhab.hq.demo.people import DEMO_USERS, demo_user

    logins = []
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = demo_user(username)
        user.set_password(password)
        user.save(update_fields=["password"])
        logins.append((username, password, role.value))
    return logins


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def demo(
    scale: Annotated[str, typer.Option(help="small or tehran")] = "small",
    seed: int = 1405,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="prepare, print, do not serve")] = False,
    no_polling: Annotated[bool, typer.Option("--no-polling", help="skip polling day and results")] = False,
) -> None:
    """Load the demo election, run its polling day and count it, print the logins and serve.

    Polling day: a few branches vote through the real device agents and the HQ API; the
    other branches' reports are synthetic but in the real signed format. Then every report
    is counted, the boards certify, and the open data is published and recounted.
    """
    if not no_serve and not _port_free(port):
        # Before minutes of loading, not after: a newcomer picks another port at once.
        fail("port %(port)s is in use; choose another: %(example)s", port=ident(port),
             example="make demo PORT=8100")
    demo_data(scale=scale, seed=seed)
    from rich.console import Console
    from rich.table import Table

    from entekhab.hq.elections.ballot_styles import check_ballot_styles
    from entekhab.hq.elections.models import Election

    election = Election.objects.get(code="1405")
    problems = check_ballot_styles(election)
    if problems:
        fail("ballot style check failed: %(problems)s", problems="; ".join(map(str, problems[:5])))
    console = Console()
    if not no_polling:
        _polling_day_and_results(election, seed, console)
    table = Table(title=_("Entekhab demo logins"))
    for col in (N_("user"), N_("password"), N_("role")):
        table.add_column(_(col))
    from entekhab.hq.accounts.roles import ROLE_NAMES_FA, Role

    for user, password, role in _demo_logins():
        table.add_row(user, password, ROLE_NAMES_FA[Role(role)] if current() == "fa" else role)  # copied as typed
    console.print(table)
    base = f"http://127.0.0.1:{port}"
    for name, path in [
        (N_("Back office"), "/admin/"),
        (N_("Home"), "/"),
        (N_("Candidates and lists"), "/candidates/"),
        (N_("HQ operations"), "/operations/"),
        (N_("Capacity plan"), "/capacity/1405/"),
        (N_("Polling day"), "/admin/polling/"),
        (N_("Polling-day control room"), "/polling/1405/control/"),
        (N_("Polling-day incidents"), "/polling/1405/incidents/"),
        (N_("Results"), "/results/"),
        (N_("API"), "/api/v1/docs"),
    ]:
        console.print(f"{_(name)}: {base + path}")  # bare, so a copied address has no invisible marks
    if no_serve:
        console.print(_("to open these addresses: %(command)s", command=f"entekhab serve --port {port}"))
    else:
        serve(port=port)


def _polling_day_and_results(election, seed: int, console) -> None:
    from django.conf import settings

    from entekhab.commands.device import show_simulation
    from entekhab.hq.polling.models import BranchReport
    from entekhab.hq.polling.simulate import simulate_polling_day
    from entekhab.hq.results.demo import run_results_demo
    from entekhab.hq.results.polling_day import store_polling_day

    console.print(f"[bold]{_('Polling day')}[/]: " + _("real device agents on a few branches …"))
    result = simulate_polling_day(out_dir=settings.DATA_DIR / "polling", replace=True, seed=seed)
    show_simulation(result.as_dict())
    reported = set(BranchReport.objects.filter(branch__election=election).values_list("branch_id", flat=True))
    rest = election.branches.filter(ballot_style__isnull=False).exclude(id__in=reported).select_related(
        "ballot_style", "election", "area").order_by("number")
    console.print(_("synthetic signed reports for the other %(count)s branches …", count=num(rest.count())))
    store_polling_day(election, seed=seed, branches=list(rest))
    outcome = run_results_demo(election, seed=seed)
    reports = BranchReport.objects.filter(branch__election=election).count()
    console.print(_("counted %(reports)s branch reports; running totals agree: %(totals)s; open data: %(folder)s;"
                    " recount agrees: %(recount)s", reports=num(reports),
                    totals=_(str(outcome["running_totals_agree"])), folder=ident(outcome["open_data"]),
                    recount=_(str(outcome["recount_agrees"]))), soft_wrap=True)


def national_code(code: str) -> None:
    """Check a national code's form and check digit."""
    from entekhab.domain.national_code import InvalidNationalCode, parse_national_code

    try:
        say("valid: %(code)s", code=ident(parse_national_code(code)))
    except InvalidNationalCode as exc:
        fail_error(exc)


def register(app: typer.Typer) -> None:
    app.command()(migrate)
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                  "help_option_names": []})(manage)
    app.command()(serve)
    app.command()(worker)
    app.command("demo-data")(demo_data)
    app.command()(demo)
    app.command("national-code")(national_code)
