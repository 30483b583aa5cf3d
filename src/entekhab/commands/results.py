"""``entekhab publish DIR`` writes the open data folder; ``entekhab recount DIR`` recounts from it alone.

Exit codes of ``recount``: 0 when every branch, total and seat agrees with what the folder
publishes, 1 when something differs (each difference is named), 2 on unusable input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def publish(
    directory: Annotated[Path, typer.Argument(help="an empty or new folder to write the open data into")],
    election: Annotated[str | None, typer.Option(help="election code (default: the only election)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable summary")] = False,
) -> None:
    """Write results, branch reports, vote records (NIST SP 1500-103), NIST SP 1500-100 results and the signed index."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        _fail(f"{directory} exists and is not an empty folder")
    from entekhab.hq.bootstrap import setup

    setup()
    from entekhab.domain.errors import DomainError
    from entekhab.hq.elections.models import Election
    from entekhab.hq.results.opendata import publish_to

    elections = Election.objects.filter(code=election) if election else Election.objects.all()
    if elections.count() != 1:
        _fail(f"no election {election!r}" if election else "several elections: choose one with --election")
    try:
        outcome = publish_to(elections.get(), directory)
    except DomainError as exc:
        _fail(exc.message_en)
    if as_json:
        typer.echo(json.dumps(outcome, ensure_ascii=False))
    else:
        typer.echo(f"wrote {outcome['files']} files ({outcome['bytes']:,} bytes) to {outcome['directory']}")


def recount(
    directory: Annotated[Path, typer.Argument(help="an open data folder written by `entekhab publish`")],
    key: Annotated[str | None, typer.Option(help="the HQ public key (hex) the index must be signed with")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable outcome")] = False,
) -> None:
    """Recompute every branch, total and seat from the open data alone and name every difference."""
    from entekhab.domain.errors import DomainError
    from entekhab.publication.opendata import recount_folder

    if not directory.is_dir():
        _fail(f"{directory} is not a folder")
    if not (directory / "index.json").is_file():
        _fail(f"{directory} has no index.json")
    try:
        if as_json:
            outcome = recount_folder(directory, public_key=key)
        else:
            from rich.console import Console
            from rich.progress import Progress

            with Progress(transient=True, console=Console(stderr=True)) as bar:
                task = bar.add_task("recounting branches", total=None)
                outcome = recount_folder(directory, public_key=key, progress=lambda _: bar.advance(task))
    except DomainError as exc:
        _fail(exc.message_en)
    except (KeyError, TypeError, ValueError) as exc:
        _fail(f"the open data folder is malformed: {exc!r}")
    if as_json:
        typer.echo(json.dumps(outcome.as_json(), ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        console.print(f"branches: {outcome.branches:,} · contests: {outcome.contests} · "
                      f"records in canonical order: {outcome.records_in_canonical_order:,}")
        for problem in outcome.problems:
            console.print(f"[red]problem:[/red] {problem}")
        if outcome.differences:
            table = Table("where", "published", "recomputed", title="differences")
            for d in outcome.differences[:200]:
                table.add_row(d.where, str(d.expected), str(d.found))
            console.print(table)
        console.print("[green]every total and seat agrees[/green]" if outcome.agrees
                      else f"[red]{len(outcome.differences)} difference(s), {len(outcome.problems)} problem(s)[/red]")
    raise typer.Exit(0 if outcome.agrees else 1)


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
    app.command("recount")(recount)
    from entekhab.commands import absorb  # `entekhab results absorb`

    absorb.register(app)
