"""Plain JSON for machines: plans, days and sizings as dicts (``--json``, HQ APIs).

Unbounded waits (a branch with no device of a kind) become ``null``, exact
percentages become decimals, and derived figures (required, shortfall, minimal) are
included so a consumer never recomputes policy.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from typing import Any

from entekhab.planning.rollup import DeviceTally
from entekhab.planning.scenario import Scenario
from entekhab.planning.sizing import BranchSizing

_DERIVED: dict[type, tuple[str, ...]] = {
    BranchSizing: ("auth_required", "eboxes_required", "auth_shortfall", "ebox_shortfall",
                   "minimal"),
    DeviceTally: ("required", "shortfall", "surplus"),
}


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of a planning value."""
    if isinstance(value, Scenario):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in _DERIVED.get(type(value), ()):
            out[name] = jsonable(getattr(value, name))
        return out
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, float):
        return None if math.isinf(value) or math.isnan(value) else round(value, 4)
    return value
