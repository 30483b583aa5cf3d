"""``entekhab publish DIR`` writes the open data folder; ``entekhab recount DIR`` recounts from it alone.

Exit codes of ``recount``: 0 when every branch, total and seat agrees with what the folder
publishes, 1 when something differs (each difference is named), 2 on unusable input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from entekhab.commands.say import fail, fail_error, ident, num, say
from entekhab.i18n import _


def publish(
    directory: Annotated[Path, typer.Argument(help="an empty or new folder to write the open data into")],
    election: Annotated[str | None, typer.Option(help="election code (default: the only election)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable summary")] = False,
) -> None:
    """Write results, branch reports, vote records (NIST SP 1500-103), NIST SP 1500-100 results and the signed index."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        fail("%(path)s exists and is not an empty folder", path=ident(directory))
    from entekhab.hq.bootstrap import setup

    setup()
    from entekhab.domain.errors import DomainError
    from entekhab.hq.elections.models import Election
    from entekhab.hq.results.opendata import publish_to

    elections = Election.objects.filter(code=election) if election else Election.objects.all()
    if elections.count() != 1:
        if election:
            fail("no election with code %(code)s", code=ident(election))
        fail("several elections: choose one with --election")
    try:
        outcome = publish_to(elections.get(), directory)
    except DomainError as exc:
        fail_error(exc)
    if as_json:
        typer.echo(json.dumps(outcome, ensure_ascii=False))
    else:
        say("wrote %(files)s files (%(bytes)s bytes) to %(path)s", files=num(outcome["files"]),
            bytes=num(outcome["bytes"]), path=ident(outcome["directory"]))


def recount(
    directory: Annotated[Path, typer.Argument(help="an open data folder written by `entekhab publish`")],
    key: Annotated[str | None, typer.Option(help="the HQ public key (hex) the index must be signed with")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable outcome")] = False,
) -> None:
    """Recompute every branch, total and seat from the open data alone and name every difference."""
    from entekhab.domain.errors import DomainError
    from entekhab.publication.opendata import recount_folder

    if not directory.is_dir():
        fail("%(path)s is not a folder", path=ident(directory))
    if not (directory / "index.json").is_file():
        fail("%(path)s has no index.json", path=ident(directory))
    try:
        if as_json:
            outcome = recount_folder(directory, public_key=key)
        else:
            from rich.console import Console
            from rich.progress import Progress

            with Progress(transient=True, console=Console(stderr=True)) as bar:
                task = bar.add_task(_("recounting branches"), total=None)
                outcome = recount_folder(directory, public_key=key, progress=lambda _: bar.advance(task))
    except DomainError as exc:
        fail_error(exc)
    except (KeyError, TypeError, ValueError) as exc:
        fail("the open data folder is malformed: %(detail)s", detail=ident(repr(exc)))
    if as_json:
        typer.echo(json.dumps(outcome.as_json(), ensure_ascii=False))
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console(soft_wrap=True)
        console.print(_("branches: %(branches)s · contests: %(contests)s · records in canonical order: %(records)s",
                        branches=num(outcome.branches), contests=num(outcome.contests),
                        records=num(outcome.records_in_canonical_order)), markup=False)
        for problem in outcome.problems:
            console.print(f"[red]{_('problem')}:[/red] {problem}")
        if outcome.differences:
            table = Table(_("where"), _("published"), _("recomputed"), title=_("differences"))
            for d in outcome.differences[:200]:
                table.add_row(ident(d.where), str(d.expected), str(d.found))
            console.print(table)
        if outcome.agrees:
            console.print(f"[green]{_('every total and seat agrees')}[/green]")
        else:
            console.print("[red]" + _("%(differences)s difference(s), %(problems)s problem(s)",
                                      differences=num(len(outcome.differences)),
                                      problems=num(len(outcome.problems))) + "[/red]")
    raise typer.Exit(0 if outcome.agrees else 1)


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
    app.command("recount")(recount)
    from entekhab.commands import absorb  # `entekhab results absorb`

    absorb.register(app)
