"""Demo data of the capacity app: the three default scenarios (25 %, 45 %, 70 % turnout).

No plan is run here: a run is an official's decision, recorded with its author, and the
Tehran-scale demo would spend seconds on it at load time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from entekhab.hq.capacity.actions import seed_default_scenarios


def load_capacity_demo(election: Any, demo: Any, *, step: Callable[[str, int], None] | None = None) -> int:
    if step:
        step("planning scenarios", 3)
    return len(seed_default_scenarios(election, actor=None))
