"""Files the branch device ships with its package: the Vazirmatn fonts of the kiosk and the minutes.

``make assets`` copies them from the npm package ``vazirmatn`` (OFL) into ``fonts/`` here; they
are generated, not committed, and the wheel carries them as package data, so a device installed
with ``entekhab[device]`` needs neither the HQ's static files nor node_modules.
"""

from __future__ import annotations

from pathlib import Path

FONTS = Path(__file__).resolve().parent / "fonts"
