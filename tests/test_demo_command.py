"""`entekhab demo` end to end, as a newcomer runs it (its own SQLite file, no server left running)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_polling_day_counts_and_publishes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"ENTEKHAB_DATA_DIR": str(tmp_path), "COLUMNS": "200"})
    out = subprocess.run([sys.executable, "-m", "entekhab.cli", "demo", "--no-serve"],
                         env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "recount agrees: True" in out.stdout and "running totals agree: True" in out.stdout
    assert "double_checkin" in out.stdout  # the offline branch's duplicate became an incident
    pdfs = sorted((tmp_path / "polling" / "reports").glob("*.pdf"))
    assert pdfs and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    published = sorted((tmp_path / "open-data" / "1405").iterdir())
    assert published
    index = json.loads((published[-1] / "index.json").read_text())
    assert index
