"""Hypothesis strategies shared by the crypto tests: seeds become deterministic randomness."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from entekhab.crypto.group import Element, Randomness, Scalar, g_pow

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

seeds = st.binary(min_size=8, max_size=8)


def rng_from(seed: bytes) -> Randomness:
    return Randomness(b"test/" + seed)


def other_element(e: Element, rng: Randomness) -> Element:
    """A random element different from ``e`` (non-identity)."""
    while True:
        f = g_pow(rng.scalar())
        if f != e:
            return f


def other_scalar(s: Scalar, rng: Randomness) -> Scalar:
    while True:
        t = rng.scalar()
        if t != s:
            return t
