"""Hostile and broken input at the device API: refused with a clear error, nothing stored."""

from __future__ import annotations

import copy
import json

import pytest

from entekhab.hq.polling.models import BranchReport, CheckIn, DeviceMessage, Incident, VoteRecord
from entekhab.records.errors import CardInvalid
from entekhab.records.messages import Envelope
from entekhab.records.signing import SigningKey
from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_flow import eligible


def counts():
    return (CheckIn.objects.count(), DeviceMessage.objects.count(), BranchReport.objects.count(),
            VoteRecord.objects.count())


def post(client, payload):
    response = client.post("/api/v1/polling/messages", payload, content_type="application/json")
    assert response.status_code < 500
    return response.status_code, response.json()


def signed_checkin(agent, code, *, seq=None, key=None, **overrides):
    doc = {"device": agent.serial, "election": agent.setting("election"), "branch": agent.setting("branch"),
           "seq": seq or 10_000, "kind": "checkin", "body": {"national_code": code, "fingerprint": "matched"}}
    doc.update(overrides)
    env = Envelope.parse(doc)
    return env.signed(key or agent.key)


@pytest.fixture
def opened(branches):
    b = branches(0)
    b.devices.open(now=NOW)
    return b


def test_forged_signature_wrong_branch_wrong_election_unknown_device(opened, branches):
    client = opened.transport.client
    voter = eligible(None, 1)[0]
    before = counts()
    cases = {
        "bad_signature": signed_checkin(opened.auth, voter, key=SigningKey.generate()),
        "wrong_branch": signed_checkin(opened.auth, voter, branch=branches(1, "W").code),
        "wrong_election": signed_checkin(opened.auth, voter, election="1404"),
        "unknown_device": signed_checkin(opened.auth, voter, device="NO-SUCH-SERIAL"),
        "invalid_national_code": signed_checkin(opened.auth, "1234567890"),
    }
    for code, payload in cases.items():
        status, body = post(client, payload)
        assert status in (400, 403, 409) and body["code"] == code, (code, body)
        assert body["message_fa"] and body["message"]
    tampered = signed_checkin(opened.auth, voter)
    tampered["envelope"]["body"]["national_code"] = eligible(None, 2)[1]
    status, body = post(client, tampered)
    assert body["code"] == "bad_signature"
    for junk in (b"not json", b"[]", b'{"envelope": 5, "signature": "00"}', b'{"envelope": {"seq": -1}}'):
        response = client.post("/api/v1/polling/messages", junk, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "bad_message", junk
    assert counts() == before
    assert not CheckIn.objects.filter(national_code=voter).exists()


def test_replay_is_refused_and_carries_the_original_answer(opened):
    client = opened.transport.client
    voter = eligible(None, 1)[0]
    payload = signed_checkin(opened.auth, voter, seq=77)
    status, first = post(client, payload)
    assert status == 200 and first["status"] == "accepted"
    before = counts()
    status, again = post(client, payload)
    assert status == 409 and again["code"] == "replay" and again["original"] == first
    # The same sequence number with another body is a replay too.
    status, other = post(client, signed_checkin(opened.auth, eligible(None, 2)[1], seq=77))
    assert status == 409 and other["code"] == "replay"
    assert counts() == before


def test_reused_card_and_malformed_codes_refused_by_the_ebox(opened):
    box = opened.devices.box
    voter = eligible(None, 1)[0]
    card = opened.devices.check_in(voter, now=NOW).card
    contests = [c.code for c in box.manifest.contests]
    from entekhab.device.ballot_box import BallotRefused

    for bad in (["abc"], ["99999"], ["1001", "1001"], [5]):
        ballot = {c: [] for c in contests}
        ballot[contests[0]] = bad
        with pytest.raises(BallotRefused) as refused:
            box.cast(card, ballot)
        assert refused.value.message_fa
    assert box.ballots_cast == 0
    box.cast(card, {c: [] for c in contests})
    with pytest.raises(CardInvalid) as reused:
        box.cast(card, {c: [] for c in contests})
    assert reused.value.code == "card_reused"
    forged = opened.devices.mock_card(NOW).split(".")[0] + "." + "00" * 64
    with pytest.raises(CardInvalid) as bad_sig:
        box.read_card(forged)
    assert bad_sig.value.code == "card_forged"
    assert box.ballots_cast == 1


def test_tampered_manifest_is_refused_by_the_ebox(branches):
    from entekhab.device.branch import ballot_box, fetch_branch_info
    from entekhab.records.errors import ManifestInvalid

    b = branches(0)
    fetch_branch_info(b.auth)
    fetch_branch_info(b.ebox)
    signed = json.loads(b.ebox.setting("hq_manifest"))
    box = ballot_box(b.ebox)
    tampered = copy.deepcopy(signed)
    tampered["manifest"]["contests"][0]["candidates"][0]["name_fa"] = "نامزد جعلی"
    with pytest.raises(ManifestInvalid) as refused:
        box.load_manifest(tampered, now=NOW)
    assert refused.value.code == "manifest_tampered"
    resigned = copy.deepcopy(tampered)
    from entekhab.records.manifest import sign_manifest

    resigned = sign_manifest(tampered["manifest"], SigningKey.generate())
    with pytest.raises(ManifestInvalid) as unsigned:
        box.load_manifest(resigned, now=NOW)
    assert unsigned.value.code == "manifest_signature"
    assert box.state.value == "installed"


def test_report_for_a_branch_never_opened_and_forged_counts(branches):
    b = branches(0)
    from entekhab.device.branch import fetch_branch_info

    fetch_branch_info(b.auth)
    fetch_branch_info(b.ebox)
    box = b.devices.box
    box.load_manifest(json.loads(b.ebox.setting("hq_manifest")), now=NOW)
    box.open_polls()  # the device opened locally but never told HQ
    with pytest.raises(Exception) as refused:
        b.devices.close(now=NOW, branch_head="رئیس", supervisor="ناظر")
    assert getattr(refused.value, "code", "") == "never_opened"
    assert not BranchReport.objects.filter(branch__code=b.code).exists()
    assert Incident.objects.filter(branch__code=b.code, kind="report_refused").count() == 1


def test_more_ballots_than_checkins_and_tampered_records_are_refused(opened):
    box = opened.devices.box
    contests = [c.code for c in box.manifest.contests]
    for _ in range(2):  # cards made without a check-in: two ballots, zero check-ins
        box.cast(opened.devices.mock_card(NOW), {c: [] for c in contests})
    report = box.close(now=NOW, checkins=opened.devices.authenticator.checkin_statement(),
                       branch_head="رئیس", supervisor="ناظر")
    client = opened.transport.client
    records = box.records()
    forged_records = copy.deepcopy(records)
    first = box.manifest.contests[0]
    forged_records[0]["contests"][first.code] = [sorted(first.names)[0]]
    for recs, code in ((forged_records, "records_mismatch"), (records, "more_ballots_than_checkins")):
        env = Envelope(opened.ebox.serial, opened.ebox.setting("election"), opened.ebox.setting("branch"),
                       opened.ebox.journal.append("outbox_pending", {}).seq, "branch_report",
                       {"report": report.document(), "records": recs})
        status, body = post(client, env.signed(opened.ebox.key))
        assert status == 400 and body["code"] == code
    assert not BranchReport.objects.filter(branch__code=opened.code).exists()
    assert VoteRecord.objects.count() == 0


def test_intake_refuses_a_report_on_another_manifest_branch_or_election(opened):
    from entekhab.records.report import sign_report

    box = opened.devices.box
    voter = eligible(None, 1)[0]
    box.cast(opened.devices.check_in(voter, now=NOW).card, {c.code: [] for c in box.manifest.contests})
    report = box.close(now=NOW, checkins=opened.devices.authenticator.checkin_statement(),
                       branch_head="رئیس", supervisor="ناظر")
    client = opened.transport.client
    for field, value, code in (("manifest_sha256", "0" * 64, "manifest_mismatch"),
                               ("branch", "C99-OTHER", "wrong_branch"), ("election", "1404", "wrong_election")):
        forged = sign_report({**report.report, field: value}, opened.ebox.key)  # the e-box's own key
        env = Envelope(opened.ebox.serial, opened.ebox.setting("election"), opened.ebox.setting("branch"),
                       opened.ebox.journal.append("outbox_pending", {}).seq, "branch_report",
                       {"report": forged.document(), "records": box.records()})
        status, body = post(client, env.signed(opened.ebox.key))
        assert status == 400 and body["code"] == code, (field, body)
    assert not BranchReport.objects.filter(branch__code=opened.code).exists()
    assert VoteRecord.objects.count() == 0
