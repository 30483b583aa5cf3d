"""Closing is final at HQ: once a branch's signed report is in, no check-in is stored for it.

Each refused attempt is a ``checkin_after_close`` incident; the race between a check-in and
the report intake is tried for real on PostgreSQL (a committed demo election, two connections).
"""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connection, transaction

from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.polling.models import (
    BranchDayState,
    BranchOpening,
    CheckIn,
    DeviceMessage,
    DuplicateCheckIn,
    Incident,
)
from tests.hq.conftest import set_state
from tests.hq.polling.conftest import NOW, make_branch
from tests.hq.polling.test_flow import eligible
from tests.hq.polling.test_refusals import post, signed_checkin


def stored() -> tuple[int, int, int]:
    return CheckIn.objects.count(), DeviceMessage.objects.count(), DuplicateCheckIn.objects.count()


def offline_checkin(agent, code, *, seq):
    from entekhab.records.messages import Envelope

    body = {"national_code": code, "fingerprint": "matched", "at": "2026-05-01T14:50Z", "approved_by": "رئیس شعبه"}
    return Envelope(agent.serial, agent.setting("election"), agent.setting("branch"), seq, "checkin_offline",
                    body).signed(agent.key)


def close_with_one_voter(b):
    b.devices.open(now=NOW)
    voter = eligible(None, 1)[0]
    card = b.devices.check_in(voter, now=NOW).card
    b.devices.vote(card, {c.code: [] for c in b.devices.box.manifest.contests})
    report = b.devices.close(now=NOW, branch_head="رئیس شعبه", supervisor="ناظر")
    assert report.report["ballots"] == 1
    assert BranchOpening.objects.get(branch__code=b.code).state == BranchDayState.REPORTED


def test_a_checkin_after_the_report_is_refused_and_becomes_an_incident(branches):
    b = branches(0)
    close_with_one_voter(b)
    client = b.transport.client
    late, late_offline = eligible(None, 3)[1:]
    before = stored()
    status, body = post(client, signed_checkin(b.auth, late, seq=20_001))
    assert status == 409 and body["code"] == "branch_closed"
    assert "بسته" in body["message_fa"] and "closed" in body["message"]
    status, body = post(client, offline_checkin(b.auth, late_offline, seq=20_002))
    assert status == 409 and body["code"] == "branch_closed"
    assert stored() == before  # no check-in, no message row, no duplicate
    incidents = Incident.objects.filter(branch__code=b.code, kind="checkin_after_close").order_by("id")
    assert [i.details["kind"] for i in incidents] == ["checkin", "checkin_offline"]
    online, offline = incidents
    assert online.details["refused_by"] == "hq" and late not in json.dumps(online.details)  # masked
    assert offline.details["national_code"] == late_offline  # that voter had a card: the board needs the code
    assert "بسته" in online.summary_fa and online.resolved_at is None
    # a replayed attempt is refused again (nothing was stored under its sequence number), and recorded again
    status, body = post(client, signed_checkin(b.auth, late, seq=20_001))
    assert status == 409 and body["code"] == "branch_closed"
    assert Incident.objects.filter(branch__code=b.code, kind="checkin_after_close").count() == 3


def test_a_branch_still_open_takes_check_ins_as_before(branches):
    b = branches(0)
    b.devices.open(now=NOW)
    before = CheckIn.objects.count()
    status, body = post(b.transport.client, signed_checkin(b.auth, eligible(None, 1)[0], seq=30_001))
    assert status == 200 and body["status"] == "accepted"
    assert CheckIn.objects.count() == before + 1
    assert not Incident.objects.filter(kind="checkin_after_close").exists()


def test_a_checkin_racing_the_report_waits_for_it_and_is_refused(transactional_db, tmp_path):
    """PostgreSQL: the intake holds the opening row FOR UPDATE; a check-in arriving then must wait, then refuse."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; the row-lock race is PostgreSQL's")
    from django.contrib.auth.models import User

    from entekhab.hq.accounts.roles import Role
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling import endpoint
    from tests.device.conftest import ensure_council_sizes

    ensure_council_sizes()
    load_demo("small", 1405)
    set_state("polling")
    operator = User.objects.create_user("race-operator", password="x-Strong-Pass-1405", is_staff=True)
    bootstrap_appointment(operator, Role.HQ_ADMIN.value, by="test")
    branch = Election.objects.get(code="1405").branches.order_by("number").first()
    b = make_branch(branch, operator, tmp_path, "R")
    b.devices.open(now=NOW)
    payload = json.dumps(signed_checkin(b.auth, eligible(None, 1)[0], seq=40_001)).encode()
    answer: dict = {}

    def check_in() -> None:
        try:
            answer["status"], answer["body"] = endpoint.handle_raw(payload)
        finally:
            connection.close()

    before = CheckIn.objects.count()
    with transaction.atomic():  # what the report intake does: lock the branch-day row, then close it
        opening = BranchOpening.objects.select_for_update().get(branch=branch)
        racer = threading.Thread(target=check_in)
        racer.start()
        time.sleep(1.0)
        assert racer.is_alive(), f"the check-in did not wait for the report: {answer}"
        opening.state = BranchDayState.REPORTED
        opening.save(update_fields=["state"])
    racer.join(30)
    assert not racer.is_alive()
    assert answer["status"] == 409 and answer["body"]["code"] == "branch_closed"
    assert CheckIn.objects.count() == before
    assert Incident.objects.filter(branch=branch, kind="checkin_after_close").count() == 1
