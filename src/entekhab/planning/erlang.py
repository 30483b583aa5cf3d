"""The M/M/c queue (Erlang C): the analytic half of the planner.

Steady-state formulas for one stage with Poisson arrivals, exponential service and
``c`` identical servers. They are the textbook reference the simulation is checked
against, and a quick per-hour estimate of a branch. Erlang C is computed through the
Erlang B recursion, which never forms ``a**c / c!`` and so stays stable for hundreds
of servers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from entekhab.domain.errors import DomainError


class UnstableQueue(DomainError):
    """The offered load reaches the number of servers: the queue grows without bound."""

    code = "unstable_queue"


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DomainError("%(name)s must be a finite number", params={"name": name},
                          code="invalid_number")
    if value <= 0:
        raise DomainError(
            "%(name)s must be positive, got %(value)s", params={"name": name, "value": value}, code="invalid_number"
        )
    return float(value)


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of M/M/c/c, by the stable recursion B(k) = aB(k-1)/(k + aB(k-1))."""
    if servers < 0:
        raise DomainError("servers must be non-negative")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in M/M/c (requires offered_load < servers)."""
    if offered_load >= servers:
        raise UnstableQueue(
            "offered load %(offered_load)s erlang needs more than %(servers)s servers",
            params={"offered_load": format(offered_load, ".3f"), "servers": servers},
        )
    b = erlang_b(servers, offered_load)
    return servers * b / (servers - offered_load * (1.0 - b))


@dataclass(frozen=True)
class MMcQueue:
    """One stage in steady state; rates per hour, times in seconds (what people measure)."""

    arrivals_per_hour: float
    service_seconds: float
    servers: int

    def __post_init__(self) -> None:
        _positive("arrivals_per_hour", self.arrivals_per_hour)
        _positive("service_seconds", self.service_seconds)
        if isinstance(self.servers, bool) or not isinstance(self.servers, int) or self.servers < 1:
            raise DomainError("servers must be a whole number ≥ 1", code="invalid_number")
        if self.offered_load >= self.servers:
            erlang_c(self.servers, self.offered_load)  # raises UnstableQueue

    @property
    def arrival_rate(self) -> float:
        """λ per second."""
        return self.arrivals_per_hour / 3600.0

    @property
    def service_rate(self) -> float:
        """μ per second, per server."""
        return 1.0 / self.service_seconds

    @property
    def offered_load(self) -> float:
        """a = λ/μ in erlang: the mean number of busy servers."""
        return self.arrival_rate * self.service_seconds

    @property
    def utilisation(self) -> float:
        """ρ = a/c."""
        return self.offered_load / self.servers

    @property
    def p_wait(self) -> float:
        """Erlang C: the probability that an arrival finds every server busy."""
        return erlang_c(self.servers, self.offered_load)

    @property
    def _drain_rate(self) -> float:
        return self.servers * self.service_rate - self.arrival_rate

    @property
    def mean_wait_seconds(self) -> float:
        """E[W] = C / (cμ − λ)."""
        return self.p_wait / self._drain_rate

    @property
    def mean_queue_length(self) -> float:
        """E[Lq] by Little's law."""
        return self.arrival_rate * self.mean_wait_seconds

    def p_wait_exceeds(self, seconds: float) -> float:
        """P(W > t) = C · exp(−(cμ − λ) t)."""
        if seconds < 0:
            raise DomainError("wait threshold must be non-negative")
        return self.p_wait * math.exp(-self._drain_rate * seconds)

    def wait_percentile_seconds(self, quantile: float) -> float:
        """The wait that a fraction ``quantile`` of voters do not exceed (0 if most never wait)."""
        if not 0 < quantile < 1:
            raise DomainError("quantile must lie strictly between 0 and 1")
        tail = 1.0 - quantile
        c = self.p_wait
        if c <= tail:
            return 0.0
        return math.log(c / tail) / self._drain_rate


def least_servers(arrivals_per_hour: float, service_seconds: float, *,
                  max_wait_seconds: float, quantile: float) -> int:
    """Smallest c with P(W > max_wait) ≤ 1 − quantile in steady state."""
    load = _positive("arrivals_per_hour", arrivals_per_hour) / 3600.0 * _positive(
        "service_seconds", service_seconds)
    c = max(1, math.floor(load) + 1)
    while MMcQueue(arrivals_per_hour, service_seconds, c).p_wait_exceeds(
            max_wait_seconds) > 1.0 - quantile:
        c += 1
    return c
