"""The command line speaks Persian first, English with ``--lang en``, and both from the catalogue."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from entekhab.cli import app

PERSIAN = re.compile(r"[\u0621-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env or {"ENTEKHAB_LANG": "fa"})


def test_recount_refusal_is_persian_by_default_and_english_on_request(tmp_path):
    fa = run("recount", str(tmp_path))
    assert fa.exit_code == 2
    assert "پرونده index.json ندارد" in fa.output and "خطا" in fa.output
    en = run("--lang", "en", "recount", str(tmp_path))
    assert en.exit_code == 2 and "has no index.json" in en.output and not PERSIAN.search(en.output)


def test_identifiers_keep_latin_digits_inside_an_isolate(tmp_path):
    folder = tmp_path / "run-1405"
    folder.mkdir()
    out = run("recount", str(folder)).output
    assert "\u2066" + str(folder) + "\u2069" in out  # LRI … PDI around the path, digits untouched


def test_an_unknown_language_is_refused():
    r = run("--lang", "de", "recount", ".")
    assert r.exit_code == 2 and "fa | en" in r.output


def test_environment_chooses_the_language(tmp_path):
    r = run("recount", str(tmp_path), env={"ENTEKHAB_LANG": "en"})
    assert "has no index.json" in r.output
