"""``entekhab results absorb``: count stored reports not yet counted (the periodic job beside the intake)."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

results_app = typer.Typer(help="Results at HQ: counting stored reports.", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@results_app.command("absorb")
def absorb(
    election: Annotated[str | None, typer.Option(help="election code (default: every election)")] = None,
    every: Annotated[int, typer.Option(min=0, max=3600, help="repeat every N seconds (0: once)")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Count every stored branch report not yet counted or set aside.

    The intake counts each report after its commit; this catches any it could not (a failed
    or interrupted count) without a page view ever writing. Run it beside the web workers
    with ``--every``; running it again changes nothing.
    """
    from entekhab.hq.bootstrap import setup

    setup()
    from entekhab.hq.elections.models import Election
    from entekhab.hq.results.totals import absorb_new_reports

    if election and not Election.objects.filter(code=election).exists():
        _fail(f"no election {election!r}")
    while True:
        for e in Election.objects.filter(code=election) if election else Election.objects.all():
            outcome = absorb_new_reports(e)
            row = {"election": e.code, "counted": outcome.counted, "set_aside": outcome.conflicts}
            typer.echo(json.dumps(row) if as_json else
                       f"{e.code}: counted {outcome.counted:,}, set aside {outcome.conflicts:,}")
        if not every:
            return
        time.sleep(every)


def register(app: typer.Typer) -> None:
    app.add_typer(results_app, name="results")
