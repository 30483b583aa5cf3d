"""Erlang C against the issue's reference values and against a log-space direct formula."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.domain.errors import DomainError
from entekhab.planning.erlang import MMcQueue, UnstableQueue, erlang_c, least_servers


@pytest.mark.parametrize(
    ("arrivals", "service", "servers", "mean_minutes"),
    [(200, 120, 7, 5.17), (200, 120, 8, 0.80), (200, 240, 14, 4.82), (200, 240, 15, 1.36)],
)
def test_reference_mean_waits(arrivals: float, service: float, servers: int,
                              mean_minutes: float) -> None:
    q = MMcQueue(arrivals, service, servers)
    assert round(q.mean_wait_seconds / 60, 2) == mean_minutes


def test_reference_tail_probability() -> None:
    q = MMcQueue(200, 120, 7)
    assert round(q.p_wait_exceeds(600), 3) == 0.163
    assert q.utilisation == pytest.approx(200 / 30 / 7)


def _erlang_c_logspace(c: int, a: float) -> float:
    """Direct textbook formula, summed in log space to survive large c."""
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    log_top = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    m = max([*log_terms, log_top])
    s = sum(math.exp(t - m) for t in log_terms)
    top = math.exp(log_top - m)
    return top / (s + top)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 600), rho=st.floats(0.05, 0.995))
def test_erlang_c_matches_direct_formula_for_many_servers(c: int, rho: float) -> None:
    a = rho * c
    assert erlang_c(c, a) == pytest.approx(_erlang_c_logspace(c, a), rel=1e-9, abs=1e-300)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 300), rho=st.floats(0.05, 0.99), q=st.floats(0.5, 0.99))
def test_percentile_inverts_the_tail(c: int, rho: float, q: float) -> None:
    queue = MMcQueue(3600 * rho * c / 60, 60, c)
    t = queue.wait_percentile_seconds(q)
    if t > 0:
        assert queue.p_wait_exceeds(t) == pytest.approx(1 - q, rel=1e-9)
    else:
        assert queue.p_wait <= 1 - q


def test_unstable_queue_is_refused() -> None:
    with pytest.raises(UnstableQueue):
        MMcQueue(200, 120, 6)


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, True])
def test_bad_parameters_are_domain_errors(bad: float) -> None:
    with pytest.raises(DomainError):
        MMcQueue(bad, 120, 7)
    with pytest.raises(DomainError):
        MMcQueue(200, bad, 7)


def test_least_servers_is_least() -> None:
    c = least_servers(200, 120, max_wait_seconds=600, quantile=0.95)
    assert c == 8
    assert MMcQueue(200, 120, 8).p_wait_exceeds(600) <= 0.05
    assert MMcQueue(200, 120, 7).p_wait_exceeds(600) > 0.05  # 0.163: one fewer misses
    # 240 s: 14 servers leave P(W > 10 min) = 0.15, so 15 are needed.
    assert least_servers(200, 240, max_wait_seconds=600, quantile=0.95) == 15
