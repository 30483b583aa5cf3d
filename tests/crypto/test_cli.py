from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from entekhab.cli import app

runner = CliRunner()


def test_demo_then_verify_then_tamper(tmp_path: Path) -> None:
    out = tmp_path / "rec"
    r = runner.invoke(app, ["crypto", "demo", "--ballots", "10", "--style", "small", "--out", str(out),
                            "--workers", "1", "--seed", "cli", "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["ballots"] == 10
    r = runner.invoke(app, ["verify", str(out), "--workers", "1", "--json", "--fingerprint", summary["fingerprint"]])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["ok"] is True and json.loads(r.output)["anchored"] is True
    r = runner.invoke(app, ["verify", str(out), "--workers", "1", "--fingerprint", "00" * 32])
    assert r.exit_code == 1
    assert "not the expected" in r.output
    decoded = out / "decoded.json"
    decoded.write_text(decoded.read_text().replace("1", "2", 1))
    r = runner.invoke(app, ["verify", str(out), "--workers", "1"])
    assert r.exit_code == 1
    assert "decoded.json" in r.output


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    r = runner.invoke(app, ["crypto", "demo", "--ballots", "5", "--guardians", "3", "--quorum", "4",
                            "--out", str(tmp_path / "x")])  # fmt: skip
    assert r.exit_code == 2
    assert "quorum" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["verify", str(tmp_path / "missing")])
    assert r.exit_code == 2
    assert "not a folder" in r.output
