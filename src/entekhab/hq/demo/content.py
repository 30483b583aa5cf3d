"""The demo's Persian content (names, titles, notes, templates), kept as data beside the code.

Python under ``src/`` holds no Persian text: the demo loaders and simulations read their
sentences from ``data/content.json``, one section per app. Templates use ``str.format``
placeholders (``{name}``). No Django here: the pure simulations read it too.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CONTENT_FILE = Path(__file__).parent / "data" / "content.json"


@cache
def _all() -> dict[str, Any]:
    return json.loads(CONTENT_FILE.read_text(encoding="utf-8"))


def demo_content(section: str) -> dict[str, Any]:
    """One app's section of the demo content (read once; callers must not change it)."""
    return _all()[section]
