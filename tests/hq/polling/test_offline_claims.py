"""Offline claims are checked: an online device cannot dodge "already voted" by calling it offline.

HQ's own record says when it heard each device (``DeviceMessage.received_at``); the tests
place those receipts on the polling-day clock (``NOW``) and then send signed
``checkin_offline`` messages claiming various times.
"""

from __future__ import annotations

import datetime as dt

import pytest

from entekhab.hq.polling.models import BranchReport, CheckIn, DeviceMessage, DuplicateCheckIn, Incident, OfflineWindow
from entekhab.hq.polling.policy import OFFLINE_CLAIM_WINDOW
from entekhab.records.messages import Envelope
from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_flow import eligible
from tests.hq.polling.test_refusals import post


def offline(agent, code: str, at: dt.datetime | str, *, seq: int) -> dict:
    when = at if isinstance(at, str) else at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")
    body = {"national_code": code, "fingerprint": "matched", "at": when, "approved_by": "رئیس شعبه"}
    return Envelope(agent.serial, agent.setting("election"), agent.setting("branch"), seq, "checkin_offline",
                    body).signed(agent.key)


def stored() -> tuple[int, ...]:
    return (CheckIn.objects.count(), DeviceMessage.objects.count(), DuplicateCheckIn.objects.count(),
            Incident.objects.count(), OfflineWindow.objects.count())


def heard_at(agent, when: dt.datetime) -> None:
    """HQ received every message of this device so far at ``when`` (the polling-day clock)."""
    DeviceMessage.objects.filter(device__serial=agent.serial).update(received_at=when)


@pytest.fixture
def voted(branches):
    """Branch 0 checked a voter in online at NOW; HQ heard its devices at NOW."""
    a = branches(0)
    a.devices.open(now=NOW)
    voter = eligible(None, 1)[0]
    assert not a.devices.check_in(voter, now=NOW).offline
    heard_at(a.auth, NOW)
    return a, voter


def test_an_online_device_claiming_offline_for_a_voter_who_voted_gets_no_second_acceptance(voted):
    """The claim is contradicted (HQ heard the device two minutes before): the duplicate is kept and flagged."""
    a, voter = voted
    checkins = CheckIn.objects.count()
    status, body = post(a.transport.client, offline(a.auth, voter, NOW + dt.timedelta(minutes=2), seq=50_001))
    assert status == 200 and body["status"] == "duplicate", body  # never "accepted": the voter voted already
    assert CheckIn.objects.count() == checkins
    kinds = set(Incident.objects.filter(branch__code=a.code).values_list("kind", flat=True))
    assert kinds == {"double_checkin", "offline_contradicted"}
    flagged = Incident.objects.get(pk=body["contradicted"])
    assert flagged.details["device"] == a.auth.serial and "برون‌خط" in flagged.summary_fa
    # Online, the same voter is still refused as before.
    status, online = post(a.transport.client, _online(a, voter))
    assert status == 409 and online["code"] == "already_voted" and set(online) >= {"code", "message", "message_fa"}


def _online(a, voter):
    return Envelope(a.auth.serial, a.auth.setting("election"), a.auth.setting("branch"), 50_002, "checkin",
                    {"national_code": voter, "fingerprint": "matched"}).signed(a.auth.key)


@pytest.mark.parametrize("minutes", [-OFFLINE_CLAIM_WINDOW.total_seconds() // 60 + 1, 0, 5])
def test_a_claim_within_the_window_either_side_is_kept_and_flagged(voted, minutes):
    a, _ = voted
    other = eligible(None, 2)[1]
    status, body = post(a.transport.client, offline(a.auth, other, NOW + dt.timedelta(minutes=minutes), seq=50_010))
    assert status == 200 and body["status"] == "accepted" and body["offline"], body
    flagged = Incident.objects.get(pk=body["contradicted"])
    assert flagged.kind == "offline_contradicted" and flagged.checkin_id == body["checkin"]
    assert CheckIn.objects.get(pk=body["checkin"]).national_code == other


def test_a_claim_outside_the_window_raises_no_flag(voted):
    a, _ = voted
    other = eligible(None, 2)[1]
    at = NOW + OFFLINE_CLAIM_WINDOW + dt.timedelta(minutes=2)
    status, body = post(a.transport.client, offline(a.auth, other, at, seq=50_020))
    assert status == 200 and body["status"] == "accepted" and "contradicted" not in body
    assert not Incident.objects.filter(kind="offline_contradicted").exists()


def test_a_line_that_drops_minutes_after_an_online_check_in_loses_no_record(branches):
    """Old code: the offline check-in three minutes after the last online one was refused at sync
    (device_was_online), the voter had voted with its card, and the branch's report was then refused
    for ever (more ballots than check-ins). Found by ``entekhab polling rehearse``."""
    a = branches(0)
    a.devices.open(now=NOW)
    blank = {c.code: [] for c in a.devices.box.manifest.contests}
    first, later = eligible(None, 2)
    a.devices.vote(a.devices.check_in(first, now=NOW).card, blank)
    heard_at(a.auth, NOW)
    a.transport.offline = True
    outcome = a.devices.check_in(later, now=NOW + dt.timedelta(minutes=3), offline_approved_by="رئیس شعبه")
    assert outcome.offline
    a.devices.vote(outcome.card, blank)
    a.transport.offline = False
    a.auth.sync()
    assert CheckIn.objects.filter(national_code=later, offline=True).exists()
    report = a.devices.close(now=NOW + dt.timedelta(minutes=30), branch_head="رئیس", supervisor="ناظر")
    stored_report = BranchReport.objects.get(branch__code=a.code)
    assert stored_report.sha256 == report.sha256 and stored_report.ballots == 2
    assert Incident.objects.filter(branch__code=a.code, kind="offline_contradicted").count() == 1


@pytest.mark.parametrize("when", ["1999-05-01T06:30Z", "2099-05-01T06:30Z", "2026-05-01T04:00Z",
                                  "2026-05-01T14:31Z"])
def test_times_outside_polling_hours_are_refused(branches, when):
    b = branches(1, "B")
    b.devices.open(now=NOW)
    voter = eligible(None, 3)[2]
    before = stored()
    status, body = post(b.transport.client, offline(b.auth, voter, when, seq=60_001))
    assert status == 409 and body["code"] == "time_outside_polling", body
    assert body["message_fa"] and "ساعات رأی‌گیری" in body["message_fa"]
    assert stored() == before


def test_an_extension_widens_the_polling_hours(branches, election):
    from entekhab.hq.elections.models import PollExtension

    b = branches(1, "B")
    b.devices.open(now=NOW)
    voter = eligible(None, 3)[2]
    late = dt.datetime(2026, 5, 1, 15, 0, tzinfo=dt.UTC)  # 18:30 in Tehran, after the 18:00 close
    status, body = post(b.transport.client, offline(b.auth, voter, late, seq=60_002))
    assert status == 409 and body["code"] == "time_outside_polling"
    PollExtension.objects.create(election=election, until=late + dt.timedelta(minutes=30), extended_by="وزیر کشور",
                                 reason="صف رأی‌دهندگان")
    status, body = post(b.transport.client, offline(b.auth, voter, late, seq=60_003))
    assert status == 200 and body["status"] == "accepted" and body["offline"]


def test_a_genuine_offline_sync_is_accepted_and_the_duplicate_is_an_incident(voted, branches):
    a, voter = voted
    b = branches(1, "B")
    b.devices.open(now=NOW)
    heard_at(b.auth, NOW)
    # Branch B's line is down; it was silent longer than the window before and after the claim.
    at = NOW + OFFLINE_CLAIM_WINDOW + dt.timedelta(minutes=20)
    status, body = post(b.transport.client, offline(b.auth, voter, at, seq=70_001))
    assert status == 200 and body["status"] == "duplicate", body
    incident = Incident.objects.get(pk=body["incident"])
    assert incident.kind == "double_checkin" and incident.checkin.branch.code == a.code
    assert DuplicateCheckIn.objects.filter(national_code=voter).count() == 1
    window = OfflineWindow.objects.get(device__serial=b.auth.serial)
    assert window.started_at == window.ended_at == at and window.checkins == 1


def test_offline_windows_are_built_and_shown_on_the_branch_page(branches, voted, client_as):
    from entekhab.hq.accounts.roles import Role

    _, voter = voted
    b = branches(1, "B")
    b.devices.open(now=NOW)
    heard_at(b.auth, NOW)
    voters = eligible(None, 6)[3:]
    start = NOW + dt.timedelta(minutes=30)
    claims = [(voters[0], start), (voters[1], start + dt.timedelta(minutes=10)), (voter, start + dt.timedelta(
        minutes=12)), (voters[2], start + dt.timedelta(minutes=60))]
    for seq, (code, at) in enumerate(claims, start=80_001):
        status, body = post(b.transport.client, offline(b.auth, code, at, seq=seq))
        assert status == 200, body
    windows = list(OfflineWindow.objects.filter(device__serial=b.auth.serial).order_by("started_at"))
    assert [(w.started_at, w.ended_at, w.checkins) for w in windows] == [
        (start, start + dt.timedelta(minutes=12), 3),
        (start + dt.timedelta(minutes=60), start + dt.timedelta(minutes=60), 1),
    ]
    election = windows[0].branch.election
    html = client_as(Role.HQ_ADMIN).get(f"/operations/{election.code}/branches/{b.code}/").content.decode()
    section = html.split('data-testid="offline-windows"', 1)[1].split("</section>", 1)[0]
    assert "پنجره‌های برون‌خط" in html and b.auth.serial in section
    assert "۱۴۰۵/۰۲/۱۱ ۱۰:۳۰" in section  # Jalali, Persian digits: 07:00 UTC is 10:30 in Tehran
    incident = Incident.objects.get(kind="double_checkin", checkin__national_code=voter)
    assert incident.summary_fa in section
    assert section.count("<tr>") == 3  # header and two windows


def test_a_resent_accepted_offline_checkin_is_a_replay_not_a_refusal(branches):
    b = branches(1, "B")
    b.devices.open(now=NOW)
    heard_at(b.auth, NOW)
    voter = eligible(None, 3)[2]
    at = NOW + dt.timedelta(minutes=30)
    message = offline(b.auth, voter, at, seq=90_001)
    status, first = post(b.transport.client, message)
    assert status == 200 and first["status"] == "accepted"
    # The answer was lost; meanwhile the line came back and HQ heard the device near the claimed time.
    heard_at(b.auth, at)
    before = stored()
    status, body = post(b.transport.client, message)
    assert status == 409 and body["code"] == "replay" and body["original"] == first
    assert stored() == before
