"""The Persian sample text the benches feed the code, read from ``bench/data/persian.json``."""

from __future__ import annotations

import json
from pathlib import Path

FA: dict[str, str] = json.loads((Path(__file__).parent / "data" / "persian.json").read_text(encoding="utf-8"))
