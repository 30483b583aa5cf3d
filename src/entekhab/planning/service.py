"""Service times of the two stages: authentication and voting at the e-box.

Authentication is modelled from its steps (ID card and national code, up to four
fingerprint attempts, then a manual release by the branch head), so that a slower
reader or a worse match rate changes the plan directly. Voting time is estimated from
the ballot's shape (contests, codes typed, per-code entry time, review and confirm),
so measurements from real e-boxes can replace the defaults one parameter at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from entekhab.i18n import en_fa
from entekhab.planning.validate import (
    PlanningInputError,
    integer,
    mapping,
    number,
    only_keys,
    required,
    sequence,
    text,
)

DistributionKind = Literal["exponential", "gamma", "lognormal", "deterministic"]
KINDS: tuple[str, ...] = ("exponential", "gamma", "lognormal", "deterministic")


class ServiceModel(Protocol):
    """Anything that can say its mean and draw service times."""

    @property
    def mean_seconds(self) -> float: ...

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray: ...


@dataclass(frozen=True)
class ServiceDistribution:
    """A service time law by mean and coefficient of variation (sd / mean)."""

    kind: DistributionKind
    mean: float
    cv: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PlanningInputError("service.kind", *en_fa("unknown distribution %(kind)s", kind=repr(self.kind)))
        number(self.mean, "service.mean_seconds", minimum=0, strict_minimum=True)
        number(self.cv, "service.cv", minimum=0)
        if self.kind in ("gamma", "lognormal") and self.cv <= 0:
            raise PlanningInputError("service.cv", *en_fa("must be > 0 for gamma and lognormal"))

    @property
    def mean_seconds(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` service times in seconds."""
        if self.kind == "exponential":
            return rng.exponential(self.mean, n)
        if self.kind == "deterministic":
            return np.full(n, self.mean)
        if self.kind == "gamma":
            shape = 1.0 / (self.cv * self.cv)
            return rng.gamma(shape, self.mean / shape, n)
        sigma2 = np.log1p(self.cv * self.cv)
        return rng.lognormal(np.log(self.mean) - sigma2 / 2.0, np.sqrt(sigma2), n)

    def as_dict(self) -> dict[str, Any]:
        return {"model": "distribution", "kind": self.kind, "mean_seconds": self.mean,
                "cv": self.cv}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], field: str) -> ServiceDistribution:
        only_keys(data, field, {"model", "kind", "mean_seconds", "cv"})
        kind = text(required(data, "kind", field), f"{field}.kind")
        if kind not in KINDS:
            raise PlanningInputError(f"{field}.kind", *en_fa("unknown distribution %(kind)s", kind=repr(kind)))
        return cls(kind=kind,  # type: ignore[arg-type]
                   mean=number(required(data, "mean_seconds", field), f"{field}.mean_seconds",
                               minimum=0, strict_minimum=True),
                   cv=number(data.get("cv", 1.0), f"{field}.cv", minimum=0))


@dataclass(frozen=True)
class FingerprintAuthentication:
    """ID check, fingerprint attempts (success probability each), manual release after the last.

    Defaults: 20 s for the national card, code and ballot card; 8 s per fingerprint
    attempt at 80 % success; after 4 failures the branch head releases the voter by
    hand in about 90 s (Brazil's rule: ≤ 4 attempts, then manual release).
    """

    base_seconds: float = 20.0
    base_cv: float = 0.3
    attempt_seconds: float = 8.0
    success_probability: float = 0.8
    max_attempts: int = 4
    manual_release_seconds: float = 90.0

    def __post_init__(self) -> None:
        number(self.base_seconds, "authentication.base_seconds", minimum=0)
        number(self.base_cv, "authentication.base_cv", minimum=0)
        number(self.attempt_seconds, "authentication.attempt_seconds", minimum=0)
        number(self.success_probability, "authentication.success_probability",
               minimum=0, maximum=1, strict_minimum=True)
        integer(self.max_attempts, "authentication.max_attempts", minimum=1, maximum=20)
        number(self.manual_release_seconds, "authentication.manual_release_seconds", minimum=0)
        if self.mean_seconds <= 0:
            raise PlanningInputError("authentication", *en_fa("mean time must be positive"))

    @property
    def p_manual_release(self) -> float:
        """Probability that every attempt fails."""
        return (1.0 - self.success_probability) ** self.max_attempts

    @property
    def mean_attempts(self) -> float:
        """E[min(Geometric(p), max_attempts)] = Σ_{k<max} (1-p)^k."""
        q = 1.0 - self.success_probability
        return sum(q**k for k in range(self.max_attempts))

    @property
    def mean_seconds(self) -> float:
        return (self.base_seconds + self.attempt_seconds * self.mean_attempts
                + self.manual_release_seconds * self.p_manual_release)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` authentication times in seconds."""
        if self.base_cv > 0 and self.base_seconds > 0:
            shape = 1.0 / (self.base_cv * self.base_cv)
            base = rng.gamma(shape, self.base_seconds / shape, n)
        else:
            base = np.full(n, self.base_seconds)
        trials = rng.geometric(self.success_probability, n)
        attempts = np.minimum(trials, self.max_attempts)
        manual = trials > self.max_attempts
        return base + attempts * self.attempt_seconds + manual * self.manual_release_seconds

    def as_dict(self) -> dict[str, Any]:
        return {"model": "fingerprint", "base_seconds": self.base_seconds,
                "base_cv": self.base_cv, "attempt_seconds": self.attempt_seconds,
                "success_probability": self.success_probability,
                "max_attempts": self.max_attempts,
                "manual_release_seconds": self.manual_release_seconds}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], field: str) -> FingerprintAuthentication:
        only_keys(data, field, {"model", "base_seconds", "base_cv", "attempt_seconds",
                                "success_probability", "max_attempts",
                                "manual_release_seconds"})
        d = cls()
        return cls(
            base_seconds=number(data.get("base_seconds", d.base_seconds),
                                f"{field}.base_seconds", minimum=0),
            base_cv=number(data.get("base_cv", d.base_cv), f"{field}.base_cv", minimum=0),
            attempt_seconds=number(data.get("attempt_seconds", d.attempt_seconds),
                                   f"{field}.attempt_seconds", minimum=0),
            success_probability=number(
                data.get("success_probability", d.success_probability),
                f"{field}.success_probability", minimum=0, maximum=1, strict_minimum=True),
            max_attempts=integer(data.get("max_attempts", d.max_attempts),
                                 f"{field}.max_attempts", minimum=1, maximum=20),
            manual_release_seconds=number(
                data.get("manual_release_seconds", d.manual_release_seconds),
                f"{field}.manual_release_seconds", minimum=0),
        )


AuthenticationModel = FingerprintAuthentication | ServiceDistribution


def authentication_from_dict(data: Any, field: str = "authentication") -> AuthenticationModel:
    """``{"model": "fingerprint", ...}`` (default) or ``{"model": "distribution", ...}``."""
    data = mapping(data, field)
    model = data.get("model", "fingerprint")
    if model == "fingerprint":
        return FingerprintAuthentication.from_dict(data, field)
    if model == "distribution":
        return ServiceDistribution.from_dict(data, field)
    raise PlanningInputError(
        f"{field}.model", *en_fa("unknown model %(model)s (known: fingerprint, distribution)", model=repr(model))
    )


@dataclass(frozen=True)
class ContestShape:
    """One contest on the ballot: how many codes a voter types on average, and at most."""

    code: str
    mean_codes_typed: float
    max_codes: int

    def __post_init__(self) -> None:
        text(self.code, "contest.code")
        integer(self.max_codes, f"contest[{self.code}].max_codes", minimum=1)
        number(self.mean_codes_typed, f"contest[{self.code}].mean_codes_typed",
               minimum=0, maximum=self.max_codes)


@dataclass(frozen=True)
class BallotShape:
    """The contests a branch's voters see, e.g. Tehran council (≤ 21 codes) + Experts (1)."""

    name: str
    contests: tuple[ContestShape, ...]

    def __post_init__(self) -> None:
        text(self.name, "ballot.name")
        if not self.contests:
            raise PlanningInputError(f"ballot[{self.name}].contests", *en_fa("must not be empty"))
        codes = [c.code for c in self.contests]
        if len(set(codes)) != len(codes):
            raise PlanningInputError(f"ballot[{self.name}].contests", *en_fa("duplicate contest code"))

    def as_dict(self) -> dict[str, Any]:
        return {"contests": [{"code": c.code, "mean_codes_typed": c.mean_codes_typed,
                              "max_codes": c.max_codes} for c in self.contests]}

    @classmethod
    def from_dict(cls, name: str, data: Any, field: str) -> BallotShape:
        data = mapping(data, field)
        only_keys(data, field, {"contests"})
        contests = []
        for i, raw in enumerate(sequence(required(data, "contests", field),
                                         f"{field}.contests", non_empty=True)):
            f = f"{field}.contests[{i}]"
            raw = mapping(raw, f)
            only_keys(raw, f, {"code", "mean_codes_typed", "max_codes"})
            max_codes = integer(required(raw, "max_codes", f), f"{f}.max_codes", minimum=1)
            contests.append(ContestShape(
                code=text(required(raw, "code", f), f"{f}.code"),
                mean_codes_typed=number(required(raw, "mean_codes_typed", f),
                                        f"{f}.mean_codes_typed", minimum=0, maximum=max_codes),
                max_codes=max_codes))
        return cls(name=name, contests=tuple(contests))


#: Tehran city: proportional council (a list code or up to 21 candidate codes) + Experts.
#: 8 codes on average assumes a mix of list-code voters and voters typing many names.
TEHRAN_CITY = BallotShape("tehran-city", (ContestShape("council", 8.0, 21),
                                          ContestShape("experts", 1.0, 1)))
#: A village branch: a 5-seat village council + Experts.
VILLAGE = BallotShape("village", (ContestShape("village-council", 3.0, 5),
                                  ContestShape("experts", 1.0, 1)))
BALLOTS: Mapping[str, BallotShape] = {b.name: b for b in (TEHRAN_CITY, VILLAGE)}


@dataclass(frozen=True)
class BallotTiming:
    """Per-step e-box times; replace with measurements from real e-boxes when available."""

    card_seconds: float = 8.0
    per_code_seconds: float = 7.0
    review_seconds_per_contest: float = 10.0
    confirm_seconds: float = 8.0
    kind: DistributionKind = "gamma"
    cv: float = 0.45

    def __post_init__(self) -> None:
        for name in ("card_seconds", "per_code_seconds", "review_seconds_per_contest",
                     "confirm_seconds"):
            number(getattr(self, name), f"ballot_timing.{name}", minimum=0)
        ServiceDistribution(self.kind, 1.0, self.cv)

    def estimate_seconds(self, ballot: BallotShape) -> float:
        """Mean voting time: card + Σ (codes × per-code + review) + confirm."""
        return (self.card_seconds + self.confirm_seconds
                + sum(c.mean_codes_typed * self.per_code_seconds
                      + self.review_seconds_per_contest for c in ballot.contests))

    def worst_case_seconds(self, ballot: BallotShape) -> float:
        """Voting time of a voter who types every code the ballot allows."""
        return (self.card_seconds + self.confirm_seconds
                + sum(c.max_codes * self.per_code_seconds + self.review_seconds_per_contest
                      for c in ballot.contests))

    def distribution(self, ballot: BallotShape) -> ServiceDistribution:
        """The voting-time law of this ballot."""
        return ServiceDistribution(self.kind, self.estimate_seconds(ballot), self.cv)

    def as_dict(self) -> dict[str, Any]:
        return {"card_seconds": self.card_seconds, "per_code_seconds": self.per_code_seconds,
                "review_seconds_per_contest": self.review_seconds_per_contest,
                "confirm_seconds": self.confirm_seconds, "kind": self.kind, "cv": self.cv}

    @classmethod
    def from_dict(cls, data: Any, field: str = "ballot_timing") -> BallotTiming:
        data = mapping(data, field)
        only_keys(data, field, {"card_seconds", "per_code_seconds",
                                "review_seconds_per_contest", "confirm_seconds", "kind", "cv"})
        d = cls()
        kind = data.get("kind", d.kind)
        if kind not in KINDS:
            raise PlanningInputError(f"{field}.kind", *en_fa("unknown distribution %(kind)s", kind=repr(kind)))
        values = {name: number(data.get(name, getattr(d, name)), f"{field}.{name}", minimum=0)
                  for name in ("card_seconds", "per_code_seconds",
                               "review_seconds_per_contest", "confirm_seconds", "cv")}
        if kind in ("gamma", "lognormal") and values["cv"] <= 0:
            raise PlanningInputError(f"{field}.cv", *en_fa("must be > 0 for gamma and lognormal"))
        return cls(kind=kind, **values)
