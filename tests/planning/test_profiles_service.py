"""Arrival profiles, authentication and ballot-time models."""

from __future__ import annotations

import numpy as np
import pytest

from entekhab.planning.profiles import EXTENDED, OFFICIAL, PRESETS, ArrivalProfile, preset
from entekhab.planning.service import (
    TEHRAN_CITY,
    BallotShape,
    BallotTiming,
    ContestShape,
    FingerprintAuthentication,
    ServiceDistribution,
)
from entekhab.planning.validate import PlanningInputError


@pytest.mark.parametrize("profile", list(PRESETS.values()))
def test_presets_spread_every_voter(profile: ArrivalProfile) -> None:
    assert sum(profile.hourly_rates(1000)) == pytest.approx(1000)
    assert profile.closing_hour <= 24


def test_official_profile_has_opening_surge_and_evening_peak() -> None:
    s = OFFICIAL.shares()
    assert s[0] > s[4] and s[-1] > s[4]
    assert (OFFICIAL.opening_hour, OFFICIAL.closing_hour) == (8, 18)
    assert EXTENDED.closing_hour == 24


@pytest.mark.parametrize(
    ("weights", "field"),
    [((), "profile.weights"), ((1, -2), "profile.weights[1]"), ((0, 0), "profile.weights")],
)
def test_bad_profiles_name_the_field(weights: tuple[float, ...], field: str) -> None:
    with pytest.raises(PlanningInputError) as err:
        ArrivalProfile("x", 8, weights)
    assert err.value.field == field


def test_profile_past_midnight_and_unknown_preset_are_refused() -> None:
    with pytest.raises(PlanningInputError):
        ArrivalProfile("late", 20, (1,) * 5)
    with pytest.raises(PlanningInputError, match="unknown profile"):
        preset("sunday")


def test_fingerprint_mean_matches_its_steps() -> None:
    auth = FingerprintAuthentication(base_seconds=20, attempt_seconds=8, success_probability=0.8,
                                     max_attempts=4, manual_release_seconds=90)
    q = 0.2
    assert auth.mean_attempts == pytest.approx(1 + q + q**2 + q**3)
    assert auth.p_manual_release == pytest.approx(q**4)
    expected = 20 + 8 * (1 + q + q**2 + q**3) + 90 * q**4
    assert auth.mean_seconds == pytest.approx(expected)
    draws = auth.sample(np.random.default_rng(1), 200_000)
    assert draws.mean() == pytest.approx(expected, rel=0.01)
    # No voter makes more than four attempts; the manual release adds its time on top.
    assert draws.max() < 20 * 4 + 8 * 4 + 90


def test_ballot_estimator_from_shape() -> None:
    timing = BallotTiming(card_seconds=8, per_code_seconds=7, review_seconds_per_contest=10,
                          confirm_seconds=8)
    # card + (8 codes × 7 + review) + (1 code × 7 + review) + confirm
    assert timing.estimate_seconds(TEHRAN_CITY) == pytest.approx(8 + 66 + 17 + 8)
    assert timing.worst_case_seconds(TEHRAN_CITY) == pytest.approx(8 + 21 * 7 + 10 + 17 + 8)
    list_voters = BallotShape("list", (ContestShape("council", 1, 21),
                                       ContestShape("experts", 1, 1)))
    assert timing.estimate_seconds(list_voters) < timing.estimate_seconds(TEHRAN_CITY)


def test_contest_codes_typed_cannot_exceed_the_ballot() -> None:
    with pytest.raises(PlanningInputError, match="mean_codes_typed"):
        ContestShape("council", 22, 21)


@pytest.mark.parametrize("kind", ["exponential", "gamma", "lognormal", "deterministic"])
def test_distributions_have_the_stated_mean_and_cv(kind: str) -> None:
    cv = 1.0 if kind == "exponential" else (0.0 if kind == "deterministic" else 0.45)
    d = ServiceDistribution(kind, 99.0, cv)  # type: ignore[arg-type]
    x = d.sample(np.random.default_rng(7), 200_000)
    assert x.mean() == pytest.approx(99.0, rel=0.01)
    assert x.std() / x.mean() == pytest.approx(cv, abs=0.01)
