"""The fingerprint step's count: a match is not "no attempts left" (the kiosk showed 0 after a first-scan match)."""

from __future__ import annotations

import datetime as dt

import pytest

from entekhab.device.adapters.civil_registry import DemoCivilRegistry, sample_people
from entekhab.device.adapters.fingerprint import MAX_ATTEMPTS, DemoFingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.authentication import Authenticator
from entekhab.device.errors import DeviceError

DAY = dt.date(2026, 5, 1)


def desk(tmp_path, **reader) -> Authenticator:
    agent = DeviceAgent.initialise(tmp_path / "auth.db", serial="AU-1", role="auth")
    return Authenticator(agent, registry=DemoCivilRegistry(), reader=DemoFingerprintReader(**reader),
                         polling_day=DAY)


def test_a_first_scan_match_leaves_the_attempts_it_did_not_use(tmp_path):
    auth = desk(tmp_path, typical_match=1.0, hard_share=0.0)
    session = auth.begin(sample_people(DemoCivilRegistry(), 1, DAY, seed=3)[0])
    assert session.attempts_left == MAX_ATTEMPTS
    assert auth.scan(session).matched
    assert session.matched and session.cleared
    assert session.attempts_left == MAX_ATTEMPTS - 1  # was 0: the kiosk printed "attempts left: 0"
    assert auth.scan(session).matched and len(session.scans) == 1  # a matched voter is not scanned again
    with pytest.raises(DeviceError) as early:  # a matched voter needs no manual release
        auth.release(session, branch_head="Head", reason="worn prints")
    assert early.value.code == "release_too_early"


def test_four_failed_scans_leave_none_and_open_the_manual_release(tmp_path):
    auth = desk(tmp_path, typical_match=0.0, hard_share=0.0)
    session = auth.begin(sample_people(DemoCivilRegistry(), 1, DAY, seed=4)[0])
    for left in range(MAX_ATTEMPTS - 1, -1, -1):
        assert not auth.scan(session).matched
        assert session.attempts_left == left
    with pytest.raises(DeviceError) as exhausted:
        auth.scan(session)
    assert exhausted.value.code == "fingerprint_exhausted"
    auth.release(session, branch_head="Head", reason="worn prints")
    assert session.cleared and not session.matched
