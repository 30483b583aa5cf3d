"""`entekhab demo` end to end, as a newcomer runs it (its own SQLite file, no server left running)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"ENTEKHAB_DATA_DIR": str(tmp_path), "COLUMNS": "200"})
    return subprocess.run([sys.executable, "-m", "entekhab.cli", *args],
                          env=env, capture_output=True, text=True, timeout=600)


def test_demo_runs_polling_day_counts_publishes_and_runs_again(tmp_path: Path) -> None:
    """A newcomer runs `make demo` twice: the second run replaces the certified first one, and so does demo-data."""
    first = _run(tmp_path, "demo", "--no-serve")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "recount agrees: True" in first.stdout and "running totals agree: True" in first.stdout
    assert "double_checkin" in first.stdout  # the offline branch's duplicate became an incident
    pdfs = sorted((tmp_path / "polling" / "reports").glob("*.pdf"))
    assert pdfs and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    published = sorted((tmp_path / "open-data" / "1405").iterdir())
    assert published
    assert json.loads((published[-1] / "index.json").read_text())
    again = _run(tmp_path, "demo", "--no-serve")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Traceback" not in again.stderr
    assert "recount agrees: True" in again.stdout and "running totals agree: True" in again.stdout
    data = _run(tmp_path, "demo-data")
    assert data.returncode == 0, data.stderr[-3000:]


def test_demo_refuses_a_busy_port_before_loading_anything(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = _run(tmp_path, "demo", "--port", str(port))
        persian = _run(tmp_path, "--lang", "fa", "demo", "--port", str(port))
    assert out.returncode == 2 and persian.returncode == 2
    assert f"port {port} is in use" in out.stderr
    assert f"درگاه \u2066{port}\u2069 در حال استفاده است" in persian.stderr  # the number stays Latin, isolated
    assert not (tmp_path / "entekhab.sqlite3").exists()  # refused before the minutes of loading


def test_every_demo_flag_is_a_make_variable() -> None:
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(["make", "-n", "-C", str(root), "demo", "PORT=8100", "SCALE=tehran", "SEED=7",
                          "NO_SERVE=1", "NO_POLLING=1"], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if "entekhab demo" in x)
    cmd = line + out.split(line, 1)[1].split("\n", 2)[1]  # the recipe continues on the next line
    for flag in ("--port 8100", "--scale tehran", "--seed 7", "--no-serve", "--no-polling"):
        assert flag in cmd
