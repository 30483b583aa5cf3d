"""Offline check-ins reconciled into incidents; restarts mid-sync; secrecy; replacement; paper fallback."""

from __future__ import annotations

import random

import pytest

from entekhab.device.agent import DeviceAgent
from entekhab.device.errors import HQUnreachable
from entekhab.domain.errors import DomainError
from entekhab.hq.accounts.roles import Role
from entekhab.hq.polling.actions import do_enter_paper_counts, do_replace_device
from entekhab.hq.polling.models import (
    BranchReport,
    CheckIn,
    DeviceEnrolment,
    DuplicateCheckIn,
    Incident,
    PaperEntry,
    VoteRecord,
)
from entekhab.records.cvr import canonical_order
from tests.hq.polling.conftest import NOW, make_branch
from tests.hq.polling.test_flow import eligible


def test_two_offline_branches_check_in_the_same_voter_one_incident_names_both(branches):
    a, b = branches(0, "A"), branches(1, "B")
    a.devices.open(now=NOW)
    b.devices.open(now=NOW)
    voter, other = eligible(None, 2)
    a.transport.offline = b.transport.offline = True
    with pytest.raises(HQUnreachable) as refused:
        a.devices.check_in(voter, now=NOW)
    assert refused.value.code == "offline_needs_approval"
    out_a = a.devices.check_in(voter, now=NOW, offline_approved_by="رئیس شعبه الف")
    out_b = b.devices.check_in(voter, now=NOW, offline_approved_by="رئیس شعبه ب")
    b.devices.check_in(other, now=NOW, offline_approved_by="رئیس شعبه ب")
    assert out_a.offline and out_b.offline and out_a.card != out_b.card
    assert not CheckIn.objects.filter(national_code=voter).exists()
    a.transport.offline = b.transport.offline = False
    a.auth.sync()
    # Branch B's device dies after HQ stored its first queued message but before the ack was journaled.
    real = b.transport
    crashed = {"done": False}

    def crash_after_first(path, payload):
        status, body = real(path, payload)
        if not crashed["done"]:
            crashed["done"] = True
            raise SystemExit("power cut")
        return status, body

    b.auth.transport = crash_after_first
    with pytest.raises(SystemExit):
        b.auth.sync()
    path = b.auth.journal.path
    b.auth.close()
    restarted = DeviceAgent(path, transport=real)
    assert len(restarted.pending()) == 2
    restarted.sync()
    assert restarted.pending() == []
    incidents = Incident.objects.filter(kind="double_checkin", checkin__national_code=voter)
    assert incidents.count() == 1
    incident = incidents.get()
    assert incident.checkin.branch.code == a.code and incident.duplicate.branch.code == b.code
    assert {incident.details["first"]["branch"], incident.details["second"]["branch"]} == {a.code, b.code}
    assert CheckIn.objects.filter(national_code=other).count() == 1
    assert DuplicateCheckIn.objects.filter(national_code=voter).count() == 1


def test_a_lost_answer_online_then_offline_is_not_a_duplicate(branches):
    a = branches(0)
    a.devices.open(now=NOW)
    voter = eligible(None, 1)[0]
    real = a.transport

    def lose_answer(path, payload):
        real(path, payload)
        raise HQUnreachable("answer lost", "پاسخ گم شد")

    a.auth.transport = lose_answer
    a.devices.check_in(voter, now=NOW, offline_approved_by="رئیس")
    a.auth.transport = real
    a.auth.sync()
    assert CheckIn.objects.filter(national_code=voter).count() == 1
    assert not Incident.objects.filter(checkin__national_code=voter).exists()


def test_no_stored_field_or_order_links_a_checkin_to_a_vote(branches):
    b = branches(0)
    b.devices.open(now=NOW)
    box = b.devices.box
    first = box.manifest.contests[0]
    codes = sorted(c for c, v in first.names.items() if v["kind"] == "candidate")
    voters = eligible(None, 12)
    cast_order = []
    choices = random.Random(12).sample([codes[i % len(codes)] for i in range(len(voters))], len(voters))
    for voter, choice in zip(voters, choices, strict=True):
        card = b.devices.check_in(voter, now=NOW).card
        ballot = {c.code: [] for c in box.manifest.contests}
        ballot[first.code] = [choice]
        box.cast(card, ballot)
        cast_order.append(choice)
    b.devices.close(now=NOW, branch_head="رئیس", supervisor="ناظر")
    # 1. No field of a vote record names a voter, a card, a time or a sequence.
    vote_fields = {f.name for f in VoteRecord._meta.get_fields()}
    assert vote_fields == {"id", "report", "ballot"}
    for record in VoteRecord.objects.all():
        text = repr(record.ballot)
        assert not any(v in text for v in voters)
        assert set(record.ballot) == {"election", "style", "contests"}
    # 2. Ids follow the records' canonical order (their contents), not the casting order (shuffled).
    stored_records = [r.ballot for r in VoteRecord.objects.order_by("id")]
    assert stored_records == canonical_order(stored_records)
    stored = [r["contests"][first.code][0] for r in stored_records]
    assert sorted(stored) == sorted(cast_order)
    checkin_order = list(CheckIn.objects.filter(branch__code=b.code).order_by("id").values_list("national_code",
                                                                                                  flat=True))
    assert checkin_order == voters
    # An attacker pairing the k-th check-in with the k-th vote record would need the orders to agree.
    assert stored != cast_order
    # 3. The e-box lists its records in the same canonical order, and its journal says only that a ballot was cast.
    assert box.records() == stored_records
    assert all(e.body == {"mock": False} for e in b.ebox.journal.entries(kind="ballot_cast"))
    # 4. The authentication device journals no card nonce: only whether it was offline and which check-in
    # message it answers (its place in the chain already says so: it commits with that message's ack).
    nonces = [e.body for e in b.auth.journal.entries(kind="card_issued")]
    assert nonces and all(set(n) == {"offline", "checkin"} for n in nonces)


def test_device_replacement_moves_the_journal_and_the_report_covers_both(branches, operator, tmp_path):
    b = branches(0)
    b.devices.open(now=NOW)
    contests = [c.code for c in b.devices.box.manifest.contests]
    voters = eligible(None, 4)
    for voter in voters[:2]:
        b.devices.vote(b.devices.check_in(voter, now=NOW).card, {c: [] for c in contests})
    old = DeviceEnrolment.objects.get(serial=b.ebox.serial)
    _, code = do_replace_device(old, new_serial="T-ebox-new", acting_user=operator, reason="صفحه لمسی شکست")
    exported = b.devices.box.retire()
    new = DeviceAgent.initialise(tmp_path / "new.db", serial="T-ebox-new", role="ebox", transport=b.transport)
    new.enrol(code)
    from entekhab.device.branch import fetch_branch_info

    fetch_branch_info(new)
    b.devices.ebox = new
    b.devices._box = None
    b.devices.box.import_transfer(exported, now=NOW)
    for voter in voters[2:]:
        b.devices.vote(b.devices.check_in(voter, now=NOW).card, {c: [] for c in contests})
    report = b.devices.close(now=NOW, branch_head="رئیس", supervisor="ناظر")
    assert report.report["ballots"] == 4 and report.report["device"] == "T-ebox-new"
    assert [p["device"] for p in report.report["predecessors"]] == [old.serial]
    assert BranchReport.objects.get(branch__code=b.code).ballots == 4
    old.refresh_from_db()
    assert old.state == "retired"
    assert Incident.objects.filter(kind="device_replaced", branch__code=b.code).exists()


@pytest.mark.election_state("closed")
def test_paper_fallback_needs_two_agreeing_officials(election, make_user):
    from tests.hq.results.test_paper_path import counts_for

    branch = election.branches.order_by("number").first()
    counts = counts_for(branch, ballots=40)
    why = "no check-ins: the authentication device failed too (test)"
    one, two, three = (make_user(Role.BRANCH_HEAD, f"paper-{i}") for i in range(3))
    assert do_enter_paper_counts(branch, counts, acting_user=one, reason=why) is None
    with pytest.raises(DomainError) as again:
        do_enter_paper_counts(branch, counts, acting_user=one, reason=why)
    assert again.value.code == "already_entered"
    wrong = {**counts, "ballots": 41}
    with pytest.raises(DomainError) as mismatch:
        do_enter_paper_counts(branch, wrong, acting_user=two, reason=why)
    assert mismatch.value.code == "paper_mismatch"
    assert Incident.objects.filter(kind="paper_mismatch", branch=branch).count() == 1
    for bad in ({"ballots": -1, "contests": counts["contests"]}, {"ballots": 1, "contests": {}}, "x"):
        with pytest.raises(DomainError):
            do_enter_paper_counts(branch, bad, acting_user=three, reason=why)
    report = do_enter_paper_counts(branch, counts, acting_user=three, reason=why)
    assert report is not None and report.source == "paper"
    assert report.document["report"]["source"] == "paper" and report.document["report"]["entered_by"] == [
        "paper-0", "paper-2"]
    assert PaperEntry.objects.filter(branch=branch).count() == 2


def test_enrolment_codes_work_once_and_need_the_role(branches, election, make_user, tmp_path):
    from django.core.exceptions import PermissionDenied

    from entekhab.device.hq_link import HQRefused
    from entekhab.hq.polling.actions import do_create_enrolment

    branch = election.branches.order_by("number").first()
    with pytest.raises(PermissionDenied):
        do_create_enrolment(branch, serial="X1", role="auth", acting_user=make_user(Role.OBSERVER))
    admin = make_user(Role.HQ_ADMIN, "enrol-admin")
    _, code = do_create_enrolment(branch, serial="X1", role="auth", acting_user=admin)
    b = make_branch(branch, admin, tmp_path, "E")
    agent = DeviceAgent.initialise(tmp_path / "x1.db", serial="X1", role="auth", transport=b.transport)
    with pytest.raises(HQRefused):
        agent.enrol("WRONGCODE")
    agent.enrol(code)
    thief = DeviceAgent.initialise(tmp_path / "x1b.db", serial="X1", role="auth", transport=b.transport)
    with pytest.raises(HQRefused) as reused:
        thief.enrol(code)
    assert reused.value.code == "enrolment_refused"
