"""Platform commands: migrate, manage, serve, demo-data, demo, national-code."""

from __future__ import annotations

import os
import secrets
import sys
from typing import Annotated

import typer

DEMO_USERS = [
    ("demo", "hq_admin"),
    ("demo-executive", "executive_board"),
    ("demo-supervisor", "supervisory_board"),
    ("demo-operator", "operator"),
    ("demo-observer", "observer"),
]


def _django() -> None:
    from entekhab.hq.bootstrap import setup

    setup()


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


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
    workers: Annotated[int, typer.Option(min=1, max=64)] = 2,
) -> None:
    """Serve the HQ web app and API with gunicorn."""
    _django()
    from django.conf import settings

    if settings.PRODUCTION:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "gunicorn", "entekhab.hq.wsgi:application",
         "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-"],
    )


def demo_data(
    scale: Annotated[str, typer.Option(help="small (seconds, for tests) or tehran (real scale)")] = "small",
    seed: Annotated[int, typer.Option(help="same seed, same election")] = 1405,
) -> None:
    """Load the deterministic 1405 demo election (replaces an earlier demo copy)."""
    if scale not in ("small", "tehran"):
        _fail(f"unknown scale {scale!r}: use small or tehran")
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
    from django.contrib.auth.models import Group, User

    logins = []
    for username, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user, _ = User.objects.get_or_create(username=username)
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        logins.append((username, password, role))
    return logins


def demo(
    scale: Annotated[str, typer.Option(help="small or tehran")] = "small",
    seed: int = 1405,
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="prepare, print, do not serve")] = False,
) -> None:
    """Migrate, load the demo election, create demo logins, print them and serve."""
    demo_data(scale=scale, seed=seed)
    from rich.console import Console
    from rich.table import Table

    from entekhab.hq.elections.ballot_styles import check_ballot_styles
    from entekhab.hq.elections.models import Election

    problems = check_ballot_styles(Election.objects.get(code="1405"))
    if problems:
        _fail("ballot style check failed: " + "; ".join(map(str, problems[:5])))
    table = Table(title="Entekhab demo logins / ورود آزمایشی")
    for col in ("user", "password", "role"):
        table.add_column(col)
    for row in _demo_logins():
        table.add_row(*row)
    console = Console()
    console.print(table)
    console.print(f"Back office (پیشخوان ستاد): http://127.0.0.1:{port}/admin/")
    console.print(f"Public page: http://127.0.0.1:{port}/   API: http://127.0.0.1:{port}/api/v1/docs")
    if not no_serve:
        serve(port=port)


def national_code(code: str) -> None:
    """Check a national code's form and check digit."""
    from entekhab.domain.national_code import InvalidNationalCode, parse_national_code

    try:
        typer.echo(f"valid: {parse_national_code(code)}")
    except InvalidNationalCode as exc:
        _fail(f"{exc.message_en} / {exc.message_fa}")


def register(app: typer.Typer) -> None:
    app.command()(migrate)
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                  "help_option_names": []})(manage)
    app.command()(serve)
    app.command("demo-data")(demo_data)
    app.command()(demo)
    app.command("national-code")(national_code)
