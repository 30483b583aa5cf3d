"""What every command prints: Persian first (``--lang en`` for English), from the catalogue.

Messages are English ids in code and Persian in ``entekhab/locale/fa/LC_MESSAGES/entekhab.po``.
Numbers come out in Persian digits and separators in Persian; identifiers (codes, hashes,
paths) are passed through ``ident`` so they keep their Latin digits.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NoReturn

import typer

from entekhab.domain.digits import persian_numerals
from entekhab.i18n import _, current

# Unicode isolates keep a Latin identifier left to right inside a Persian sentence.
LRI, PDI = "\u2066", "\u2069"


def ident(value: object) -> str:
    """A code, hash or path: Latin digits, isolated left to right in Persian output."""
    return f"{LRI}{value}{PDI}" if current() == "fa" else str(value)


def num(value: int | float | Fraction, places: int = 0) -> str:
    """A quantity: 12,345, or the same in Persian digits and separators (``places`` decimals for a fraction)."""
    text = f"{float(value):,.{places}f}" if places else f"{int(value):,}"
    if current() != "fa":
        return text
    return persian_numerals(text)


def say(msgid: str, **params: Any) -> None:
    typer.echo(_(msgid, **params))


def warn(msgid: str, **params: Any) -> None:
    typer.echo(_(msgid, **params), err=True)


def fail(msgid: str, exit_code: int = 2, **params: Any) -> NoReturn:
    """Refuse with a message on stderr and exit ``exit_code`` (2: unusable input)."""
    typer.echo(f"{_('error')}: {_(msgid, **params)}", err=True)
    raise typer.Exit(exit_code)


def fail_error(exc: Any, exit_code: int = 2) -> NoReturn:
    """A domain refusal, rendered in the chosen language."""
    text = exc.render() if hasattr(exc, "render") else str(exc)
    typer.echo(f"{_('error')}: {text}", err=True)
    raise typer.Exit(exit_code)
