"""``entekhab count FILE.json``: count a contest from its totals and explain every step."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from entekhab.domain.digits import LIST_SEPARATOR
from entekhab.i18n import _, current, en_fa, language

if TYPE_CHECKING:
    from entekhab.counting.result import CountResult


class Lang(StrEnum):
    fa = "fa"
    en = "en"


def _fail(message_en: str, message_fa: str, lang: Lang) -> NoReturn:
    with language(lang.value):
        line = f"{_('error')}: {message_fa} ({message_en})" if lang is Lang.fa else f"error: {message_en}"
    typer.echo(line.replace("\n", " "), err=True)
    raise typer.Exit(2)


def count(
    file: Annotated[Path, typer.Argument(help="contest and totals as JSON", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
    lang: Annotated[Lang | None, typer.Option("--lang", help="language of the explanation (default: entekhab --lang)")]
    = None,
) -> None:
    """Count a contest (tehran-pr, plurality, hare-lr, droop-lr, dhondt, sainte-lague)."""
    import json

    lang = lang or Lang(current())

    from entekhab.counting.methods import count_json
    from entekhab.domain.errors import DomainError

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        _fail(*en_fa("cannot read %(file)s: %(reason)s", file=file, reason=reason), lang)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        _fail(
            *en_fa("malformed JSON in %(file)s: %(msg)s (%(where)s)", file=file, msg=exc.msg, where=where),
            lang,
        )
    except RecursionError:
        _fail(*en_fa("malformed JSON in %(file)s: nested too deeply", file=file), lang)
    try:
        result = count_json(data)
    except DomainError as exc:
        _fail(exc.message_en, exc.message_fa, lang)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    with language(lang.value):
        _print_for_people(result, lang.value)


def _print_for_people(result: CountResult, lang: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from entekhab.counting.explain import label, num

    fa = lang == "fa"
    console = Console(highlight=False)
    console.print(f"[bold]{_('Count')}: {result.method}[/bold]")
    console.print(result.explanation(lang))
    table = Table(title=_("Seats per group"))
    table.add_column(_("Group"))
    table.add_column(_("Seats"), justify="right")
    for group, seats in result.group_seats.items():
        table.add_row(label(group, lang), num(seats, lang))
    console.print(table)
    sep = LIST_SEPARATOR if fa else ", "
    if result.elected:
        console.print(f"{_('Elected')}: {sep.join(result.elected)}")
    if result.alternates:
        console.print(f"{_('Alternates')}: {sep.join(result.alternates)}")
    for lot in result.lots:
        console.print(f"{_('Lot')} «{lot.context}»: {sep.join(lot.order)} → {sep.join(lot.winners)}")


def register(app: typer.Typer) -> None:
    app.command("count")(count)
