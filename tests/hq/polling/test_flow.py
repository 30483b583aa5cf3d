"""A polling day at one branch through the real device agents and the HQ API."""

from __future__ import annotations

import pytest

from entekhab.device.errors import CheckInRefused
from entekhab.hq.polling.models import BranchOpening, BranchReport, CheckIn, VoteRecord
from tests.hq.polling.conftest import NOW

VOTERS = ["0499370899", "0010350829", "1234567891", "0075148181"]


def eligible(devices, n):
    from entekhab.device.adapters.civil_registry import DemoCivilRegistry, eligibility
    from entekhab.domain.national_code import check_digit

    out, i = [], 0
    import datetime as dt
    while len(out) < n:
        nine = f"{(i * 7919 + 1000003) % 10**9:09d}"
        code = nine + str(check_digit(nine))
        if len(set(code)) > 1 and eligibility(DemoCivilRegistry(), code, dt.date(2026, 5, 1)).eligible:
            out.append(code)
        i += 1
    return out


def test_open_check_in_vote_close_and_report(branches):
    b = branches(0)
    zero = b.devices.open(now=NOW, mock=lambda m: [{c.code: [] for c in m.contests}] * 2)
    assert zero.report["ballots"] == 0
    assert BranchOpening.objects.filter(branch__code=b.code).exists()
    manifest = b.devices.box.manifest
    contests = [c.code for c in manifest.contests]
    voters = eligible(b.devices, 3)
    for i, code in enumerate(voters):
        outcome = b.devices.check_in(code, now=NOW)
        assert outcome.answer and outcome.answer["status"] == "accepted"
        ballot = {c: [] for c in contests}
        first = manifest.contests[0]
        some = sorted(first.names)[i]
        ballot[first.code] = [some]
        b.devices.vote(outcome.card, ballot)
    with pytest.raises(CheckInRefused) as refused:
        b.devices.check_in(voters[0], now=NOW)
    assert refused.value.code == "already_voted" and b.code in refused.value.message_en
    report = b.devices.close(now=NOW, branch_head="رئیس شعبه", supervisor="ناظر")
    assert report.report["ballots"] == 3
    assert report.report["mock_poll"]["ballots"] == 2  # counted, reported, cleared before opening
    assert report.report["zero_report_sha256"] == zero.sha256
    stored = BranchReport.objects.get(branch__code=b.code)
    assert stored.ballots == 3 and stored.checkins == 3
    assert VoteRecord.objects.filter(report=stored).count() == 3
    assert CheckIn.objects.filter(branch__code=b.code).count() == 3


def test_reloading_an_election_takes_its_polling_day_with_it(branches, election):
    b = branches(0)
    b.devices.open(now=NOW)
    voter = eligible(None, 1)[0]
    b.devices.vote(b.devices.check_in(voter, now=NOW).card, {c.code: [] for c in b.devices.box.manifest.contests})
    b.devices.close(now=NOW, branch_head="رئیس", supervisor="ناظر")
    from django.db.models import RestrictedError

    from entekhab.hq.polling.models import DeviceEnrolment

    with pytest.raises(RestrictedError):  # a device with check-ins cannot vanish on its own
        DeviceEnrolment.objects.filter(serial=b.auth.serial).delete()
    election.delete()  # the whole election can (the test's transaction rolls it back)
    assert not CheckIn.objects.exists() and not BranchReport.objects.exists()
