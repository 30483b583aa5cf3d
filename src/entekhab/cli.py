"""The one command-line entry point, ``entekhab``."""

from __future__ import annotations

from typing import Annotated

import typer

from entekhab.commands import accounts as account_commands
from entekhab.commands import audit as audit_commands
from entekhab.commands import candidates as candidate_commands
from entekhab.commands import count, crypto, ops, plan, platform, results
from entekhab.commands import device as device_commands

app = typer.Typer(
    name="entekhab",
    help="Entekhab: run a fully electronic, verifiable election.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _root(
    lang: Annotated[str, typer.Option("--lang", envvar="ENTEKHAB_LANG",
                                      help="language of messages: fa (default) or en")] = "fa",
) -> None:
    """Entekhab: run a fully electronic, verifiable election (messages in Persian unless --lang en)."""
    from entekhab.i18n import LANGUAGES, set_language

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: fa | en", param_hint="--lang")
    set_language(lang)


# Subcommand modules register here, one line each.
ops.register(app)
platform.register(app)
count.register(app)
crypto.register(app)
candidate_commands.register(app)
plan.register(app)
results.register(app)
device_commands.register(app)
account_commands.register(app)
audit_commands.register(app)


def main() -> None:
    """Runs the CLI; a command whose extra is not installed says which one, in one line."""
    import sys

    from entekhab.commands.extras import missing_extra_line

    try:
        app()
    except ModuleNotFoundError as exc:
        line = missing_extra_line(exc, sys.argv[1:])
        if line is None:
            raise
        print(line, file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
