"""A command whose extra is not installed names the extra in one line, Persian first; other bugs still raise."""

from __future__ import annotations

import sys

import pytest
import typer

from entekhab import cli
from entekhab.commands.extras import extra_for, first_command, missing_extra_line


def test_the_extra_is_the_commands_unless_the_library_is_hqs():
    assert extra_for("django.core.exceptions", "device") == "hq"
    assert extra_for("numpy", "plan") == "planning"
    assert extra_for("pysodium", "verify") == "verify"
    assert extra_for("distributed", "verify") == "dask"  # `verify --scheduler`: [verify] does not bring Dask
    assert extra_for("numpy", "verify") == "planning"
    assert extra_for("weasyprint", "publish") == "device"
    assert extra_for("pysodium", "device") == "device"
    assert extra_for("distributed", "ops") == "dask"
    assert extra_for("no_such_library", "device") is None
    assert first_command(["--lang", "en", "plan", "branch"]) == "plan"
    assert first_command(["--help"]) is None


def test_missing_extra_line_is_one_line_persian_first():
    line = missing_extra_line(ModuleNotFoundError("No module named 'numpy'", name="numpy"), ["plan", "branch"])
    assert line is not None and "\n" not in line
    assert "entekhab[planning]" in line and "numpy" in line
    assert line.index("\u0627") < line.index("error:")  # Persian (alef) before the English


def _app_raising(exc: BaseException) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """A group, as the real CLI is."""

    @app.command()
    def plan() -> None:
        raise exc

    return app


def test_main_turns_a_missing_extra_into_exit_2(monkeypatch, capsys):
    monkeypatch.setattr(cli, "app", _app_raising(ModuleNotFoundError("No module named 'django'", name="django")))
    monkeypatch.setattr(sys, "argv", ["entekhab", "plan"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "entekhab[hq]" in err and "Traceback" not in err


def test_main_lets_any_other_missing_module_raise(monkeypatch):
    monkeypatch.setattr(cli, "app", _app_raising(ModuleNotFoundError("No module named 'entekhab.gone'",
                                                                     name="entekhab.gone")))
    monkeypatch.setattr(sys, "argv", ["entekhab", "plan"])
    with pytest.raises(ModuleNotFoundError):
        cli.main()
