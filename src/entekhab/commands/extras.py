"""Which extra of the ``entekhab`` distribution a command needs, said when it is missing.

A branch device installs ``entekhab[device]``, a citizen ``entekhab[verify]``, a planner
``entekhab[planning]``, HQ ``entekhab[hq]`` (docs/install.md). Command modules import their
heavy libraries inside the command, so ``--help`` works everywhere; when a command then
reaches a library its extra would have brought, :func:`missing_extra_line` turns the
``ModuleNotFoundError`` into one line naming the extra to install, instead of a traceback.
"""

from __future__ import annotations

from entekhab.i18n import render

# Top-level modules that only the HQ extra brings: whatever the command, they mean [hq].
HQ_MODULES = frozenset({
    "django", "ninja", "psycopg", "psycopg_binary", "dj_database_url", "whitenoise", "gunicorn", "rules",
    "django_tasks", "django_tasks_db", "redis",
})
# Top-level modules each extra brings (as pyproject.toml declares them); [hq] brings them all.
VERIFY = frozenset({"pysodium", "rfc8785"})
EXTRA_MODULES = {
    "verify": VERIFY,
    "dask": frozenset({"dask", "distributed"}),
    "planning": frozenset({"numpy", "matplotlib"}),
    "device": VERIFY | {"weasyprint", "segno", "jdatetime", "starlette", "uvicorn", "zxingcpp", "PIL", "pypdfium2"},
}
# The extra a command group is installed with: a library it lacks is asked of that extra if it brings it.
COMMAND_EXTRA = {"device": "device", "verify": "verify", "crypto": "verify", "plan": "planning"}


def extra_for(module: str | None, command: str | None) -> str | None:
    """The extra that brings ``module`` for ``command``; None when the module is not one of ours."""
    top = (module or "").split(".")[0]
    if top in HQ_MODULES:
        return "hq"
    own = COMMAND_EXTRA.get(command or "")
    if own and top in EXTRA_MODULES[own]:
        return own
    # Otherwise the smallest extra that brings it.
    return next((extra for extra, modules in sorted(EXTRA_MODULES.items(), key=lambda e: len(e[1]))
                 if top in modules), None)


def first_command(argv: list[str]) -> str | None:
    """The subcommand named on the command line (options such as ``--lang en`` skipped)."""
    words = iter(argv)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def missing_extra_line(exc: ModuleNotFoundError, argv: list[str]) -> str | None:
    """One line, Persian first, naming the extra to install; None if ``exc`` is not an extra's."""
    extra = extra_for(exc.name, first_command(argv))
    if extra is None:
        return None
    params = {"extra": f"entekhab[{extra}]", "module": exc.name,
              "command": f"pip install 'entekhab[{extra}]'"}
    msgid = "this command needs %(extra)s (%(module)s is not installed): %(command)s"
    return (f"{render('error', None, 'fa')}: {render(msgid, params, 'fa')} — "
            f"error: {render(msgid, params, 'en')}")
