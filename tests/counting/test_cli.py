"""``entekhab count``: JSON out, explanation in both languages, bad input → exit 2, one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from entekhab.commands import count as count_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "counting"


def make_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """Test harness holding only the count command."""

    count_command.register(app)
    return app


APP = make_app()
RUNNER = CliRunner()


def run(*args: str):
    return RUNNER.invoke(APP, ["count", *args])


def test_json_output_has_the_published_keys() -> None:
    r = run(str(FIXTURES / "tehran_small.json"), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"elected", "alternates", "group_seats", "lots", "steps"}
    assert out["group_seats"] == {"L1": 3, "L2": 2, "L3": 1, "independents": 1}
    assert len(out["elected"]) == 7 and len(out["alternates"]) == 3
    assert all({"kind", "data", "en", "fa"} <= set(s) for s in out["steps"])


@pytest.mark.parametrize("name", ["tehran_small.json", "group_votes.json", "plurality.json"])
def test_explanation_in_both_languages(name: str) -> None:
    en = run(str(FIXTURES / name), "--lang", "en")
    fa = run(str(FIXTURES / name), "--lang", "fa")
    assert en.exit_code == 0 and fa.exit_code == 0, en.output + fa.output
    assert "Seats per group" in en.stdout
    assert "کرسی" in fa.stdout


def test_group_votes_fixture_reproduces_dhondt() -> None:
    out = json.loads(run(str(FIXTURES / "group_votes.json"), "--json").stdout)
    assert out["group_seats"] == {"FPO": 3, "Greens": 2, "NEOS": 1, "OVP": 7, "SPO": 5}


BAD = {
    "unknown_method": ({"contest": {"method": "borda", "seats": 3}}, "unknown method 'borda'"),
    "negative_votes": ({"contest": {"method": "plurality", "seats": 1},
                        "candidates": [{"id": "c1", "votes": -5}]}, "votes of candidate c1"),
    "two_groups": ({"contest": {"method": "tehran-pr", "seats": 1},
                    "groups": [{"id": "A", "members": ["c1"]}, {"id": "B", "members": ["c1"]}],
                    "candidates": [{"id": "c1", "votes": 1}]}, "member of two groups"),
    "unknown_member": ({"contest": {"method": "tehran-pr", "seats": 1},
                        "groups": [{"id": "A", "members": ["ghost"]}],
                        "candidates": [{"id": "c1", "votes": 1}]}, "unknown member ghost"),
    "zero_seats": ({"contest": {"method": "hare-lr", "seats": 0},
                    "groups": [{"id": "A", "votes": 3}]}, "seats"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_one_line(case: str, tmp_path: Path) -> None:
    data, words = BAD[case]
    f = tmp_path / "in.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    for lang in ("en", "fa"):
        r = run(str(f), "--lang", lang)
        assert r.exit_code == 2
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0]
        assert "Traceback" not in r.output
        assert r.stdout == ""


def test_malformed_json_and_missing_file(tmp_path: Path) -> None:
    f = tmp_path / "broken.json"
    f.write_text('{"contest": {"method": "plurality",', encoding="utf-8")
    r = run(str(f), "--lang", "en")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: malformed JSON") and len(r.stderr.strip().splitlines()) == 1
    r = run(str(tmp_path / "absent.json"), "--lang", "en")
    assert r.exit_code == 2 and "cannot read" in r.stderr


def test_registered_on_the_real_entry_point() -> None:
    import inspect

    import entekhab.cli

    assert "count.register(app)" in inspect.getsource(entekhab.cli)
