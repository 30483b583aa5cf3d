"""Planning scenarios: turnout, arrival profile, service parameters, target and reserve.

A scenario is what HQ edits and compares side by side (25 %, 45 %, 70 % by default).
It is a frozen value built from JSON by a strict parser: unknown keys, wrong types,
negative times, turnout above 100 % and overrides for unknown branches are refused
with the field's path, because a silent default in a plan means devices in the wrong
place on polling day.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from entekhab.domain.ids import BranchCode
from entekhab.i18n import en_fa
from entekhab.planning.profiles import OFFICIAL, ArrivalProfile
from entekhab.planning.service import (
    AuthenticationModel,
    BallotTiming,
    FingerprintAuthentication,
    authentication_from_dict,
)
from entekhab.planning.validate import (
    PlanningInputError,
    integer,
    mapping,
    number,
    only_keys,
    text,
)


@dataclass(frozen=True)
class WaitTarget:
    """Policy: ``quantile`` of voters wait at most ``max_wait_minutes`` in total (both queues).

    Default 95 % under 30 minutes, after the US PCEA's "no voter should wait more
    than 30 minutes", relaxed to a percentile because a plan cannot bound the worst case.
    """

    quantile: float = 0.95
    max_wait_minutes: float = 30.0

    def __post_init__(self) -> None:
        number(self.quantile, "target.quantile", minimum=0, maximum=1, strict_minimum=True)
        if self.quantile >= 1:
            raise PlanningInputError("target.quantile", *en_fa("must be < 1 (a percentile)"))
        number(self.max_wait_minutes, "target.max_wait_minutes", minimum=0,
               strict_minimum=True)

    @property
    def max_wait_seconds(self) -> float:
        return self.max_wait_minutes * 60.0

    def describe(self) -> str:
        return f"{self.quantile:.0%} wait ≤ {self.max_wait_minutes:g} min"


@dataclass(frozen=True)
class ReservePolicy:
    """Spare devices as a percentage of those needed (Brazil ≈ 12 %, India 20-30 %).

    ``pooled``: spares are held at the region depot and counted once per region
    (ceil of the percentage of the region's need); otherwise every branch keeps its own.
    """

    percent: Fraction = Fraction(12)
    pooled: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.percent, Fraction) or self.percent < 0:
            raise PlanningInputError("reserve.percent", *en_fa("must be a non-negative percentage"))
        if self.percent > 100:
            raise PlanningInputError("reserve.percent", *en_fa("must be ≤ 100"))

    def spares(self, needed: int) -> int:
        """ceil(needed × percent / 100), exactly."""
        return math.ceil(needed * self.percent / 100)


@dataclass(frozen=True)
class Scenario:
    """Everything the planner assumes about one polling day.

    ``devices_ready_minutes``: minutes after opening before the devices serve anyone
    (slow starts at opening caused the worst queues of past elections); default 0.
    """

    name: str
    turnout: float
    profile: ArrivalProfile = OFFICIAL
    authentication: AuthenticationModel = field(default_factory=FingerprintAuthentication)
    ballot_timing: BallotTiming = field(default_factory=BallotTiming)
    target: WaitTarget = field(default_factory=WaitTarget)
    reserve: ReservePolicy = field(default_factory=ReservePolicy)
    seed: int = 1405
    replications: int = 3
    turnout_overrides: tuple[tuple[BranchCode, float], ...] = ()
    devices_ready_minutes: float = 0.0

    def __post_init__(self) -> None:
        text(self.name, "scenario.name")
        _turnout(self.turnout, "scenario.turnout")
        number(self.devices_ready_minutes, "scenario.devices_ready_minutes", minimum=0,
               maximum=self.profile.hours * 60)
        integer(self.seed, "scenario.seed", minimum=0)
        integer(self.replications, "scenario.replications", minimum=1, maximum=100)
        for code, value in self.turnout_overrides:
            _turnout(value, f"scenario.turnout_overrides.{code}")

    def turnout_for(self, branch: BranchCode) -> float:
        """The branch's own turnout if overridden, else the scenario's."""
        for code, value in self.turnout_overrides:
            if code == branch:
                return value
        return self.turnout

    def check_branches(self, codes: Iterable[BranchCode]) -> None:
        """Refuse overrides naming a branch that is not in the plan."""
        known = set(codes)
        for code, _ in self.turnout_overrides:
            if code not in known:
                raise PlanningInputError(f"scenario.turnout_overrides.{code}", *en_fa("unknown branch"))

    def with_turnout(self, turnout: float, name: str | None = None) -> Scenario:
        return replace(self, turnout=turnout, name=name or f"{turnout:.0%}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "turnout": self.turnout, "profile": self.profile.as_dict(),
            "authentication": self.authentication.as_dict(),
            "ballot_timing": self.ballot_timing.as_dict(),
            "target": {"quantile": self.target.quantile,
                       "max_wait_minutes": self.target.max_wait_minutes},
            "reserve": {"percent": float(self.reserve.percent), "pooled": self.reserve.pooled},
            "seed": self.seed, "replications": self.replications,
            "turnout_overrides": dict(self.turnout_overrides),
            "devices_ready_minutes": self.devices_ready_minutes,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        f = "scenario"
        data = mapping(data, f)
        only_keys(data, f, {"name", "turnout", "profile", "authentication", "ballot_timing",
                            "target", "reserve", "seed", "replications", "turnout_overrides",
                            "devices_ready_minutes"})
        if "turnout" not in data:
            raise PlanningInputError("scenario.turnout", *en_fa("is required"))
        kwargs: dict[str, Any] = {
            "name": text(data.get("name", "scenario"), "scenario.name"),
            "turnout": _turnout(data["turnout"], "scenario.turnout"),
        }
        if "profile" in data:
            kwargs["profile"] = ArrivalProfile.from_dict(data["profile"], "scenario.profile")
        if "authentication" in data:
            kwargs["authentication"] = authentication_from_dict(data["authentication"],
                                                                "scenario.authentication")
        if "ballot_timing" in data:
            kwargs["ballot_timing"] = BallotTiming.from_dict(data["ballot_timing"],
                                                             "scenario.ballot_timing")
        if "target" in data:
            t = mapping(data["target"], "scenario.target")
            only_keys(t, "scenario.target", {"quantile", "max_wait_minutes"})
            d = WaitTarget()
            q = number(t.get("quantile", d.quantile), "scenario.target.quantile",
                       minimum=0, maximum=1, strict_minimum=True)
            if q >= 1:
                raise PlanningInputError("scenario.target.quantile", *en_fa("must be < 1"))
            kwargs["target"] = WaitTarget(
                q, number(t.get("max_wait_minutes", d.max_wait_minutes),
                          "scenario.target.max_wait_minutes", minimum=0, strict_minimum=True))
        if "reserve" in data:
            r = mapping(data["reserve"], "scenario.reserve")
            only_keys(r, "scenario.reserve", {"percent", "pooled"})
            pct = number(r.get("percent", 12), "scenario.reserve.percent", minimum=0, maximum=100)
            pooled = r.get("pooled", True)
            if not isinstance(pooled, bool):
                raise PlanningInputError("scenario.reserve.pooled", *en_fa("must be true or false"))
            kwargs["reserve"] = ReservePolicy(Fraction(str(pct)), pooled)
        if "seed" in data:
            kwargs["seed"] = integer(data["seed"], "scenario.seed", minimum=0)
        if "replications" in data:
            kwargs["replications"] = integer(data["replications"], "scenario.replications",
                                             minimum=1, maximum=100)
        if "devices_ready_minutes" in data:
            kwargs["devices_ready_minutes"] = number(
                data["devices_ready_minutes"], "scenario.devices_ready_minutes", minimum=0,
                maximum=24 * 60)
        if "turnout_overrides" in data:
            o = mapping(data["turnout_overrides"], "scenario.turnout_overrides")
            kwargs["turnout_overrides"] = tuple(
                (BranchCode(text(code, "scenario.turnout_overrides")),
                 _turnout(value, f"scenario.turnout_overrides.{code}"))
                for code, value in sorted(o.items()))
        return cls(**kwargs)


def _turnout(value: Any, field_name: str) -> float:
    t = number(value, field_name, minimum=0, strict_minimum=True)
    if t > 1:
        raise PlanningInputError(
            field_name, *en_fa("turnout %(t)s is over 100 %% (write a fraction: 0.45 for 45 %%)", t=format(t, "g"))
        )
    return t


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file, turning I/O and syntax errors into a field-named refusal."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanningInputError(
            what, *en_fa("cannot read %(path)s: %(strerror)s", path=path, strerror=exc.strerror)
        ) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PlanningInputError(
            what, *en_fa("not valid JSON (%(msg)s at line %(lineno)s)", msg=exc.msg, lineno=exc.lineno)
        ) from None


def load_scenario(path: Path) -> Scenario:
    """A scenario from a JSON file."""
    return Scenario.from_dict(read_json(path, "scenario"))


def default_scenarios() -> tuple[Scenario, ...]:
    """The three turnouts HQ compares by default: 25 %, 45 %, 70 %."""
    return tuple(Scenario(name=f"turnout-{p}", turnout=p / 100) for p in (25, 45, 70))
