"""The vetting workflow through the real actions, pages and API: right role works, anything else changes nothing."""

from __future__ import annotations

import json

import pytest

from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import TransitionRefused
from entekhab.domain.vetting import TRANSITIONS, DeadlinePassed, RoleRefused, TooEarly, VettingRole
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.log import verify_chain
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.models import Registration, VettingStep
from tests.hq.candidates.conftest import answer_all, approve, days, schedule

# How to bring a fresh registration to each state: (action, role) steps.
PATHS = {
    "registered": [],
    "under_review": [("start_review", "executive_board")],
    "approved": [("start_review", "executive_board"), ("approve", "executive_board")],
    "rejected": [("start_review", "executive_board"), ("reject", "executive_board")],
    "appealed": [("start_review", "executive_board"), ("reject", "executive_board"), ("appeal", "registrant")],
    "upheld": [("start_review", "executive_board"), ("reject", "executive_board"), ("appeal", "registrant"),
               ("uphold", "supervisory_board")],
    "overturned": [("start_review", "executive_board"), ("reject", "executive_board"), ("appeal", "registrant"),
                   ("overturn", "supervisory_board")],
}
ROLE_OF = {"executive_board": Role.EXECUTIVE_BOARD, "supervisory_board": Role.SUPERVISORY_BOARD,
           "hq_admin": Role.HQ_ADMIN}


def act(reg, action, role, users, reason="دلیل"):
    if role == "registrant":
        return actions.do_transition(reg, action, registrant=True, reason=reason)
    if action == "approve":
        answer_all(reg, users[Role.EXECUTIVE_BOARD])
    return actions.do_transition(reg, action, acting_user=users[ROLE_OF[role]], reason=reason)


def walk(reg, state, users):
    for action, role in PATHS[state]:
        reg = act(reg, action, role, users)
    assert reg.state == state
    return reg


def snapshot(reg):
    return (Registration.objects.get(pk=reg.pk).state, VettingStep.objects.filter(registration=reg).count())


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.action}")
def test_each_transition_works_for_its_role_and_is_refused_for_the_others(fresh, register, users, t):
    reg, _ = register()
    reg = walk(reg, t.source, users)
    if t.not_before_end_of:  # an unappealed rejection is final only once the appeal window has closed
        actions.do_set_candidacy(fresh["pr"], schedule(registration_opens=days(-9), registration_closes=days(-8),
                                                       review_deadline=days(-7), appeal_deadline=days(-1)),
                                 acting_user=users[Role.HQ_ADMIN])
    for wrong in sorted(set(VettingRole) - t.roles):
        before = snapshot(reg)
        with pytest.raises(RoleRefused):
            if wrong == VettingRole.REGISTRANT:
                actions.do_transition(reg, t.action, registrant=True, reason="x")
            else:
                actions.do_transition(reg, t.action, acting_user=users[ROLE_OF[wrong.value]], reason="x")
        assert snapshot(reg) == before
    steps = VettingStep.objects.filter(registration=reg).count()
    role = sorted(r.value for r in t.roles)[0]
    done = act(reg, t.action, role, users)
    assert done.state == t.target
    last = VettingStep.objects.filter(registration=reg).latest("id")
    assert (last.from_state, last.to_state, last.actor_role) == (t.source, t.target, role)
    assert VettingStep.objects.filter(registration=reg).count() == steps + 1
    event = AuditEvent.objects.filter(action=f"candidates.vetting.{t.action}", target_id=str(reg.pk)).latest("id")
    assert event.before == {"state": t.source} and event.after["state"] == t.target


def test_wrong_state_is_refused_and_changes_nothing(register, users):
    reg, _ = register()
    before = snapshot(reg)
    for action in ("approve", "reject", "appeal", "uphold", "finalise"):
        with pytest.raises(TransitionRefused):
            actions.do_transition(reg, action, acting_user=users[Role.SUPERVISORY_BOARD], reason="x")
    with pytest.raises(TransitionRefused):
        actions.do_transition(reg, "teleport", acting_user=users[Role.EXECUTIVE_BOARD])
    assert snapshot(reg) == before


def test_after_the_deadline_is_refused_and_changes_nothing(fresh, register, users):
    reg, _ = register()
    actions.do_set_candidacy(fresh["pr"], schedule(registration_opens=days(-9), registration_closes=days(-8),
                                                   review_deadline=days(-1)), acting_user=users[Role.HQ_ADMIN])
    before = snapshot(reg)
    with pytest.raises(DeadlinePassed) as caught:
        actions.do_transition(reg, "start_review", acting_user=users[Role.EXECUTIVE_BOARD])
    assert "مهلت" in caught.value.message_fa
    assert snapshot(reg) == before


def test_unappealed_rejection_cannot_be_finalised_while_appeals_are_open(register, users):
    reg, _ = register()
    reg = walk(reg, "rejected", users)
    with pytest.raises(TooEarly):
        actions.do_transition(reg, "finalise", acting_user=users[Role.SUPERVISORY_BOARD])
    assert Registration.objects.get(pk=reg.pk).state == "rejected"


def test_approval_needs_all_four_clear_answers(register, users):
    eb = users[Role.EXECUTIVE_BOARD]
    reg, _ = register()
    actions.do_transition(reg, "start_review", acting_user=eb)
    actions.do_record_inquiry(reg, "police", "clear", acting_user=eb)
    with pytest.raises(DomainError, match="answers missing"):
        actions.do_transition(reg, "approve", acting_user=eb)
    answer_all(reg, eb)
    actions.do_record_inquiry(reg, "judiciary", "adverse", note="محکومیت مؤثر", acting_user=eb)
    with pytest.raises(DomainError, match="adverse"):
        actions.do_transition(reg, "approve", acting_user=eb)
    assert actions.do_transition(reg, "reject", acting_user=eb, reason="سابقه کیفری مؤثر").state == "rejected"
    with pytest.raises(TransitionRefused):  # answers are recorded only during the review
        actions.do_record_inquiry(reg, "police", "clear", acting_user=eb)


def test_only_the_executive_board_records_inquiries(register, users):
    reg, _ = register()
    actions.do_transition(reg, "start_review", acting_user=users[Role.EXECUTIVE_BOARD])
    for role in (Role.SUPERVISORY_BOARD, Role.HQ_ADMIN, Role.OBSERVER):
        with pytest.raises(RoleRefused):
            actions.do_record_inquiry(reg, "police", "clear", acting_user=users[role])
    with pytest.raises(DomainError):
        actions.do_record_inquiry(reg, "astrologer", "clear", acting_user=users[Role.EXECUTIVE_BOARD])
    assert not reg.inquiries.exists()


def test_the_vetting_desk_pages_act_per_role(client, register, users):
    reg, _ = register()
    client.force_login(users[Role.SUPERVISORY_BOARD])
    refused = client.post(f"/candidates/vetting/{reg.tracking}/", {"action": "start_review"})
    assert refused.status_code == 400 and "فقط" in refused.content.decode()
    client.force_login(users[Role.EXECUTIVE_BOARD])
    page = client.get(f"/candidates/vetting/{reg.tracking}/")
    assert page.status_code == 200 and 'data-testid="action-start_review"' in page.content.decode()
    assert client.post(f"/candidates/vetting/{reg.tracking}/", {"action": "start_review"}).status_code == 302
    for body in ("intelligence", "police", "judiciary", "civil_registry"):
        client.post(f"/candidates/vetting/{reg.tracking}/", {"body": body, "answer": "clear", "note": ""})
    assert client.post(f"/candidates/vetting/{reg.tracking}/", {"action": "approve"}).status_code == 302
    assert Registration.objects.get(pk=reg.pk).state == "approved"
    assert client.get("/candidates/vetting/?state=approved").status_code == 200
    for outsider in (Role.OBSERVER, Role.PARTY_REPRESENTATIVE):  # national codes stay with the boards and HQ
        client.force_login(users[outsider])
        assert client.get("/candidates/vetting/").status_code == 403
        assert client.get(f"/candidates/vetting/{reg.tracking}/").status_code == 403
    client.logout()
    assert client.get("/candidates/vetting/").status_code == 302


def test_the_api_for_staff_and_registrants(client, register, users):
    reg, key = register()
    url = f"/api/v1/registrations/{reg.tracking}/transitions"
    post = lambda body: client.post(url, json.dumps(body), content_type="application/json")  # noqa: E731
    assert post({"action": "start_review"}).status_code == 401
    client.force_login(users[Role.EXECUTIVE_BOARD])
    assert post({"action": "start_review"}).json()["state"] == "under_review"
    wrong = post({"action": "finalise"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "transition_refused" and wrong.json()["message_fa"]
    assert post({"action": "reject", "reason": "مدرک تحصیلی جعلی"}).json()["state"] == "rejected"
    client.logout()
    assert post({"action": "appeal", "reason": "x", "access_key": "wrong"}).json()["code"] == "bad_access_key"
    assert post({"action": "appeal", "reason": "مدرک معتبر است", "access_key": key}).json()["state"] == "appealed"
    client.force_login(users[Role.OBSERVER])
    assert post({"action": "overturn", "reason": "x"}).status_code == 403
    client.force_login(users[Role.SUPERVISORY_BOARD])
    assert post({"action": "overturn", "reason": "مدرک تأیید شد"}).json()["state"] == "overturned"


def test_withdrawal_by_self_service_page(client, register, users):
    reg, key = register()
    approve(reg, users)
    bad = client.post("/candidates/my-registration/", {"tracking": reg.tracking, "access_key": "nope",
                                                       "action": "withdraw"})
    assert bad.status_code == 400 and Registration.objects.get(pk=reg.pk).state == "approved"
    ok = client.post("/candidates/my-registration/",
                     {"tracking": reg.tracking, "access_key": key, "action": "withdraw"})
    assert ok.status_code == 200 and Registration.objects.get(pk=reg.pk).state == "withdrawn"
    again = client.post("/candidates/my-registration/", {"tracking": reg.tracking, "access_key": key,
                                                         "action": "withdraw"})
    assert again.status_code == 400


def test_the_audit_chain_stays_intact(register, users):
    reg, _ = register()
    walk(reg, "overturned", users)
    assert verify_chain() == []
