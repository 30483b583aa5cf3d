"""The device package stays free of Django; the device CLI refuses bad input with one line and exit 2."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from entekhab.cli import app


def test_device_agent_imports_no_django_and_no_hq():
    code = ("import sys, entekhab.device.branch, entekhab.device.kiosk, entekhab.device.pdf, "
            "entekhab.records.report, entekhab.device.ballot_box, entekhab.device.authentication;"
            "bad = [m for m in sys.modules if m.startswith(('django', 'entekhab.hq'))]; print(bad); "
            "sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_device_cli_errors_are_one_line_with_exit_code_2(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["device", "status", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no such device journal" in missing.output
    bad_role = runner.invoke(app, ["device", "init", str(tmp_path / "d.db"), "--serial", "S1", "--role", "printer"])
    assert bad_role.exit_code == 2 and bad_role.output.strip().count("\n") == 0
    ok = runner.invoke(app, ["device", "init", str(tmp_path / "d.db"), "--serial", "S1", "--role", "auth", "--json"])
    assert ok.exit_code == 0 and '"role": "auth"' in ok.output
    again = runner.invoke(app, ["device", "init", str(tmp_path / "d.db"), "--serial", "S1", "--role", "auth"])
    assert again.exit_code == 2 and "already" in again.output
    not_enrolled = runner.invoke(app, ["device", "sync", str(tmp_path / "d.db")])
    assert not_enrolled.exit_code == 0  # nothing queued
    status = runner.invoke(app, ["device", "status", str(tmp_path / "d.db"), "--json"])
    assert status.exit_code == 0 and '"serial": "S1"' in status.output
    qr = runner.invoke(app, ["device", "verify-qr", str(tmp_path / "nothing.pdf"), "--keys", str(tmp_path)])
    assert qr.exit_code == 2 and "no such file" in qr.output
