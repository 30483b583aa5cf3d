"""Field checks for planning inputs: every refusal names the field by its path.

Scenario and branch files come from people (HQ forms, hand-edited JSON), so a wrong
value must be reported as ``scenario.profile.weights[3]: must be ≥ 0``, not as a
traceback from deep inside the simulation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.i18n import en_fa


class PlanningInputError(DomainError):
    """A planning input (scenario, branch file, option) that cannot be used, with its field."""

    code = "invalid_planning_input"

    def __init__(self, field: str, problem_en: str, problem_fa: str):
        super().__init__(f"{field}: {problem_en}", f"{field}: {problem_fa}")
        self.field = field


def number(value: Any, field: str, *, minimum: float | None = None,
           maximum: float | None = None, strict_minimum: bool = False) -> float:
    """A finite real number within bounds (bools are refused: JSON ``true`` is not 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanningInputError(field, *en_fa("must be a number, got %(name)s", name=type(value).__name__))
    if not math.isfinite(value):
        raise PlanningInputError(field, *en_fa("must be finite"))
    if minimum is not None and (value <= minimum if strict_minimum else value < minimum):
        sign = ">" if strict_minimum else "≥"
        raise PlanningInputError(
            field, *en_fa("must be %(sign)s %(minimum)s, got %(value)s", sign=sign, minimum=minimum, value=value)
        )
    if maximum is not None and value > maximum:
        raise PlanningInputError(field, *en_fa("must be ≤ %(maximum)s, got %(value)s", maximum=maximum, value=value))
    return float(value)


def integer(value: Any, field: str, *, minimum: int | None = None,
            maximum: int | None = None) -> int:
    """A whole number within bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanningInputError(field, *en_fa("must be a whole number, got %(name)s", name=type(value).__name__))
    if minimum is not None and value < minimum:
        raise PlanningInputError(field, *en_fa("must be ≥ %(minimum)s, got %(value)s", minimum=minimum, value=value))
    if maximum is not None and value > maximum:
        raise PlanningInputError(field, *en_fa("must be ≤ %(maximum)s, got %(value)s", maximum=maximum, value=value))
    return value


def text(value: Any, field: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise PlanningInputError(field, *en_fa("must be a non-empty string"))
    return value


def mapping(value: Any, field: str) -> Mapping[str, Any]:
    """A JSON object."""
    if not isinstance(value, Mapping):
        raise PlanningInputError(field, *en_fa("must be an object, got %(name)s", name=type(value).__name__))
    return value


def sequence(value: Any, field: str, *, non_empty: bool = False) -> Sequence[Any]:
    """A JSON array."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise PlanningInputError(field, *en_fa("must be a list, got %(name)s", name=type(value).__name__))
    if non_empty and not value:
        raise PlanningInputError(field, *en_fa("must not be empty"))
    return value


def only_keys(data: Mapping[str, Any], field: str, allowed: set[str]) -> None:
    """Refuse unknown keys: a typo in a scenario file must not silently fall back to a default."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PlanningInputError(f"{field}.{unknown[0]}", *en_fa("unknown field"))


def required(data: Mapping[str, Any], key: str, field: str) -> Any:
    """A key that must be present."""
    if key not in data:
        raise PlanningInputError(f"{field}.{key}", *en_fa("is required"))
    return data[key]
