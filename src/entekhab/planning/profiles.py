"""Hourly arrival profiles: when in the day voters come.

Queues are longest at opening and in the evening, and Iranian polls are routinely
extended to midnight, so the simulation needs the shape of the day, not just a daily
total. A profile is a list of relative weights, one per opening hour; expected voters
(eligible × turnout) are spread over the hours in proportion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from entekhab.i18n import en_fa
from entekhab.planning.validate import (
    PlanningInputError,
    integer,
    mapping,
    number,
    only_keys,
    required,
    sequence,
)


@dataclass(frozen=True)
class ArrivalProfile:
    """Relative arrival weights for each hour from ``opening_hour`` (local time)."""

    name: str
    opening_hour: int
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        integer(self.opening_hour, "profile.opening_hour", minimum=0, maximum=23)
        if not self.weights:
            raise PlanningInputError("profile.weights", *en_fa("must not be empty"))
        for i, w in enumerate(self.weights):
            number(w, f"profile.weights[{i}]", minimum=0)
        if sum(self.weights) <= 0:
            raise PlanningInputError("profile.weights", *en_fa("must not all be zero"))
        if self.closing_hour > 24:
            raise PlanningInputError(
                "profile.weights",
                *en_fa("polls would close after midnight (%(closing_hour)s:00)", closing_hour=self.closing_hour),
            )

    @property
    def hours(self) -> int:
        """How many hours the polls are open."""
        return len(self.weights)

    @property
    def closing_hour(self) -> int:
        """Hour at which the doors close (voters already in line are still served)."""
        return self.opening_hour + len(self.weights)

    @property
    def open_seconds(self) -> float:
        """Length of the polling day in seconds."""
        return self.hours * 3600.0

    def shares(self) -> tuple[float, ...]:
        """Fraction of the day's voters arriving in each hour (sums to 1)."""
        total = float(sum(self.weights))
        return tuple(w / total for w in self.weights)

    def hourly_rates(self, expected_voters: float) -> tuple[float, ...]:
        """Arrivals per hour for each opening hour."""
        return tuple(expected_voters * s for s in self.shares())

    def peak_share(self) -> float:
        """Largest hourly share: what the busiest hour asks of the devices."""
        return max(self.shares())

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "opening_hour": self.opening_hour,
                "weights": list(self.weights)}

    @classmethod
    def from_dict(cls, data: Any, field: str = "profile") -> ArrivalProfile:
        """A named preset (``"official"``) or an explicit object."""
        if isinstance(data, str):
            return preset(data, field)
        data = mapping(data, field)
        only_keys(data, field, {"name", "opening_hour", "weights"})
        weights = sequence(required(data, "weights", field), f"{field}.weights", non_empty=True)
        return cls(
            name=str(data.get("name", "custom")),
            opening_hour=integer(data.get("opening_hour", 8), f"{field}.opening_hour",
                                 minimum=0, maximum=23),
            weights=tuple(number(w, f"{field}.weights[{i}]", minimum=0)
                          for i, w in enumerate(weights)),
        )


#: Official hours 08:00-18:00: a surge at opening, a midday lull, an evening peak.
OFFICIAL = ArrivalProfile("official", 8, (14, 11, 9, 8, 7, 7, 8, 10, 12, 14))
#: Extended to midnight (as in 1402 and 1403): the evening peak moves later, a long tail.
EXTENDED = ArrivalProfile("extended", 8, (11, 9, 7, 6, 5, 5, 6, 7, 9, 10, 9, 7, 5, 4, 3, 2))
#: Constant arrivals, for checks against the steady-state formulas.
FLAT = ArrivalProfile("flat", 8, (1,) * 10)

PRESETS: Mapping[str, ArrivalProfile] = {p.name: p for p in (OFFICIAL, EXTENDED, FLAT)}


def preset(name: str, field: str = "profile") -> ArrivalProfile:
    """A named profile, or a refusal listing the names."""
    try:
        return PRESETS[name]
    except KeyError:
        names = ", ".join(sorted(PRESETS))
        raise PlanningInputError(
            field, *en_fa("unknown profile %(name)s (known: %(names)s)", name=repr(name), names=names)
        ) from None
