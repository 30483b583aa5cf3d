from __future__ import annotations

import pytest

from entekhab.domain.sensitivity import (
    POLICY,
    Level,
    PastResult,
    Reason,
    SensitivityInvalid,
    StaffRole,
    level_for,
    reasons_for,
    requirements,
    turnout_anomaly,
)


@pytest.mark.parametrize(
    ("cast", "top", "anomaly"),
    [(901, 676, True), (900, 676, False), (901, 675, False), (1000, 1000, True), (500, 500, False), (1100, 900, True)],
)
def test_turnout_anomaly_is_over_90_percent_with_over_75_percent_for_one(cast, top, anomaly):
    assert turnout_anomaly(PastResult(eligible=1000, cast=cast, top_votes=top)) is anomaly


def test_bad_past_figures_are_refused():
    with pytest.raises(SensitivityInvalid):
        PastResult(0, 0, 0)
    with pytest.raises(SensitivityInvalid):
        PastResult(100, 50, 51)
    with pytest.raises(SensitivityInvalid):
        reasons_for(rural=False, past_incidents=-1, past=None)


def test_levels_follow_reasons():
    assert level_for([]) is Level.NORMAL
    assert level_for([Reason.RURAL]) is Level.SENSITIVE
    assert level_for([Reason.RURAL, Reason.PAST_INCIDENTS]) is Level.CRITICAL
    assert level_for([Reason.TURNOUT_ANOMALY]) is Level.CRITICAL
    reasons = reasons_for(rural=True, past_incidents=0, past=PastResult(1000, 950, 900))
    assert reasons == {Reason.RURAL, Reason.TURNOUT_ANOMALY} and level_for(reasons) is Level.CRITICAL
    assert reasons_for(rural=False, past_incidents=2, past=PastResult(1000, 500, 200)) == {Reason.PAST_INCIDENTS}


def test_sensitivity_raises_what_a_branch_requires():
    normal, sensitive, critical = (requirements(x) for x in ("normal", "sensitive", "critical"))
    assert normal.staff_total < sensitive.staff_total <= critical.staff_total
    assert normal.security_officers < sensitive.security_officers < critical.security_officers
    assert normal.heartbeat_timeout_minutes > sensitive.heartbeat_timeout_minutes > critical.heartbeat_timeout_minutes
    for req in POLICY.values():
        assert req.staff[StaffRole.BRANCH_HEAD] == 1 and req.staff[StaffRole.DEVICE_OPERATOR] >= 2
