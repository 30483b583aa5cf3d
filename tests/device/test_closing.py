"""Closing is final on the devices: after the e-box closes, the desk issues no card and the kiosk refuses.

Each refused attempt is journaled on the authentication device and reaches HQ as an incident;
HQ stores no check-in. These commit for real (HQ through Django's test client), so they load
their own demo election, as ``test_polling_day`` does.
"""

from __future__ import annotations

import pytest

from entekhab.device.errors import BranchClosed
from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.polling.models import CheckIn, DeviceMessage, Incident
from tests.hq.conftest import set_state
from tests.hq.polling.conftest import NOW, make_branch
from tests.hq.polling.test_flow import eligible


@pytest.fixture
def branch(transactional_db, council_sizes, tmp_path):
    from django.contrib.auth.models import User

    from entekhab.hq.accounts.roles import Role
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.elections.models import Election

    load_demo("small", 1405)
    set_state("polling")
    operator = User.objects.create_user("closing-operator", password="x-Strong-Pass-1405", is_staff=True)
    bootstrap_appointment(operator, Role.HQ_ADMIN.value, by="test")
    rows = Election.objects.get(code="1405").branches.order_by("number")
    return lambda i=0, tag="C": make_branch(rows[i], operator, tmp_path, tag)


def open_vote_close(b) -> None:
    b.devices.open(now=NOW)
    card = b.devices.check_in(eligible(None, 1)[0], now=NOW).card
    b.devices.vote(card, {c.code: [] for c in b.devices.box.manifest.contests})
    b.devices.close(now=NOW, branch_head="رئیس شعبه", supervisor="ناظر")


def refused_attempts(agent) -> list[dict]:
    return [e.body for e in agent.journal.entries(kind="checkin_refused")]


def test_the_authentication_device_refuses_after_the_close_and_hq_records_it(branch):
    b = branch()
    open_vote_close(b)
    assert b.auth.closed and b.auth.closed["source"] == "ebox"
    cards, checkins = b.auth.journal.count("card_issued"), CheckIn.objects.count()
    late = eligible(None, 2)[1]
    with pytest.raises(BranchClosed) as refused:
        b.devices.check_in(late, now=NOW)
    assert refused.value.code == "branch_closed" and "بسته" in refused.value.message_fa
    with pytest.raises(BranchClosed):  # the agent itself sends no new check-in after the close
        b.auth.send("checkin", {"national_code": late, "fingerprint": "matched"})
    assert b.auth.journal.count("card_issued") == cards  # no card
    assert CheckIn.objects.count() == checkins  # nothing stored at HQ
    assert [r["code"] for r in refused_attempts(b.auth)] == ["branch_closed", "branch_closed"]
    incident = Incident.objects.get(branch__code=b.code, kind="checkin_after_close")
    assert incident.details["refused_by"] == "device" and incident.details["voter"] == f"{late[:3]}…{late[-1]}"
    b.auth.journal.verify()


def test_a_desk_that_missed_the_close_learns_it_from_hq_and_issues_no_card(branch):
    b = branch()
    b.devices.open(now=NOW)
    box = b.devices.box  # the e-box closes and reports on its own; the desk is not told
    report = box.close(now=NOW, checkins=b.devices.authenticator.checkin_statement(), branch_head="رئیس",
                       supervisor="ناظر")
    b.ebox.send("branch_report", {"report": report.document(), "records": box.records()})
    from entekhab.device.authentication import Authenticator

    desk = Authenticator(b.auth, registry=b.devices.registry, reader=b.devices.reader, polling_day=NOW.date())
    session = desk.begin(eligible(None, 1)[0])
    while not session.cleared:
        desk.scan(session)
    messages, checkins = DeviceMessage.objects.count(), CheckIn.objects.count()
    with pytest.raises(BranchClosed):
        desk.check_in(session, now=NOW, style=b.auth.setting("style"))
    assert b.auth.journal.count("card_issued") == 0
    assert b.auth.closed and b.auth.closed["source"] == "hq"
    assert CheckIn.objects.count() == checkins and DeviceMessage.objects.count() == messages
    assert Incident.objects.filter(branch__code=b.code, kind="checkin_after_close").count() == 1
    with pytest.raises(BranchClosed):  # and from now on it refuses at once, before any fingerprint scan
        desk.begin(eligible(None, 2)[1])


def test_the_kiosk_refuses_check_in_and_cards_after_the_close(branch, tmp_path):
    from functools import partial

    from entekhab.device.kiosk import Kiosk
    from entekhab.device.kiosk.operators import OPERATOR, Operator

    b = branch()
    kiosk = Kiosk(b.devices, report_dir=tmp_path / "kiosk", clock=lambda: NOW)
    call = partial(kiosk.call, operator=Operator(OPERATOR, "متصدی"))  # the desk operator's logged-in session
    (tmp_path / "kiosk").mkdir()
    b.devices.open(now=NOW)
    status, begun = call("/api/auth/begin", {"national_code": eligible(None, 1)[0]})
    assert status == 200
    call("/api/auth/scan", {"session": begun["session"]})
    status, issued = call("/api/auth/checkin", {"session": begun["session"]})
    assert status == 200 and issued["card"]
    call("/api/ebox/cast", {"card": issued["card"], "ballot": {c.code: [] for c in b.devices.box.manifest.contests}})
    spare = b.devices.mock_card(NOW)  # a card in hand when the branch closes
    b.devices.close(now=NOW, branch_head="رئیس شعبه", supervisor="ناظر")
    checkins = CheckIn.objects.count()
    status, body = call("/api/auth/begin", {"national_code": eligible(None, 2)[1]})
    assert status == 409 and body["code"] == "branch_closed" and "بسته" in body["message_fa"] and body["message"]
    status, body = call("/api/ebox/card", {"card": spare})
    assert status == 409 and body["code"] == "branch_closed"
    status, state = kiosk.call("/api/status", {})
    assert state["closed"] and state["checkins"] == 1
    assert CheckIn.objects.count() == checkins
    assert len(refused_attempts(b.auth)) == 1
    assert Incident.objects.filter(branch__code=b.code, kind="checkin_after_close").count() == 1
