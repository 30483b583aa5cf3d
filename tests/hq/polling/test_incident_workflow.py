"""The incident workflow by role: assign, escalate, resolve with a reason, comment; every step audited.

Attacks: a role the step does not allow, an appointment in another area, an operator and an
observer, a step after the resolution, a resolution without a reason, a database UPDATE that
skips the workflow, one person holding two roles, and the pages posting as each of them.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from entekhab.hq.accounts.guard import AuthorityRefused, WrongState
from entekhab.hq.accounts.roles import Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.polling.actions.workflow import (
    IncidentRefused,
    do_assign_incident,
    do_comment_incident,
    do_escalate_incident,
    do_resolve_incident,
    steps_for,
)
from entekhab.hq.polling.models import Incident, IncidentKind
from tests.hq.conftest import appoint, set_state

pytestmark = pytest.mark.election_state("polling")


@pytest.fixture
def incident(election):
    branch = election.branches.order_by("number").first()
    return Incident.objects.create(election=election, branch=branch, kind=IncidentKind.DOUBLE_CHECKIN,
                                   summary_fa="رأی‌دهنده دوبار پذیرش شد", summary_en="a voter checked in twice")


@pytest.fixture
def people(make_user):
    return {
        "executive": make_user(Role.EXECUTIVE_BOARD, "w-exec"),
        "supervisor": make_user(Role.SUPERVISORY_BOARD, "w-super"),
        "hq": make_user(Role.HQ_ADMIN, "w-hq"),
        "operator": make_user(Role.OPERATOR, "w-op"),
        "observer": make_user(Role.OBSERVER, "w-obs"),
    }


def steps(incident: Incident) -> list[tuple[str, str, str]]:
    events = AuditEvent.objects.filter(target_type="polling.Incident", target_id=str(incident.pk)).order_by("pk")
    return [(e.action, e.actor_name, e.after["role"]) for e in events]


def test_assign_escalate_and_resolve_each_by_its_body_and_audited(incident, people):
    executive, supervisor = people["executive"], people["supervisor"]
    with pytest.raises(AuthorityRefused):  # the supervisory board does not take an incident that is not its own
        do_resolve_incident(incident, acting_user=supervisor, reason="not mine yet")
    do_assign_incident(incident, "executive_board", acting_user=executive, note="call the branch head")
    assert (incident.status, incident.assigned_to) == ("assigned", "executive_board")
    with pytest.raises(AuthorityRefused) as refused:  # HQ cannot resolve what the executive board holds
        do_resolve_incident(incident, acting_user=people["hq"], reason="closing it for them")
    assert "executive_board" in refused.value.message_en and refused.value.message_fa
    do_escalate_incident(incident, acting_user=executive, reason="the voter disputes the first check-in")
    assert (incident.status, incident.assigned_to) == ("escalated", "supervisory_board")
    with pytest.raises(AuthorityRefused):  # once escalated, only the supervisory board acts
        do_resolve_incident(incident, acting_user=executive, reason="we settled it")
    do_comment_incident(incident, acting_user=executive, text="the branch head's statement is attached")
    do_resolve_incident(incident, acting_user=supervisor, reason="the first check-in was a clerk's error")
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_by == supervisor and incident.resolved_at
    assert incident.resolution == "the first check-in was a clerk's error"
    assert steps(incident) == [
        ("polling.incident.assign", "w-exec", "executive_board"),
        ("polling.incident.escalate", "w-exec", "executive_board"),
        ("polling.incident.comment", "w-exec", "executive_board"),
        ("polling.incident.resolve", "w-super", "supervisory_board"),
    ]


def test_a_resolution_is_final_and_needs_a_reason(incident, people):
    executive = people["executive"]
    with pytest.raises(IncidentRefused) as refused:
        do_resolve_incident(incident, acting_user=executive, reason="   ")
    assert refused.value.code == "reason_required" and refused.value.message_fa
    with pytest.raises(IncidentRefused):
        do_escalate_incident(incident, acting_user=executive, reason="")
    with pytest.raises(IncidentRefused):
        do_comment_incident(incident, acting_user=executive, text="x" * 2001)
    assert steps(incident) == [] and Incident.objects.get(pk=incident.pk).status == "open"
    do_resolve_incident(incident, acting_user=executive, reason="duplicate of a paper check-in")
    for step in (lambda: do_assign_incident(incident, "hq", acting_user=executive),
                 lambda: do_escalate_incident(incident, acting_user=executive, reason="again"),
                 lambda: do_resolve_incident(incident, acting_user=executive, reason="again"),
                 lambda: do_comment_incident(incident, acting_user=executive, text="again")):
        with pytest.raises(IncidentRefused) as refused:
            step()
        assert refused.value.code == "resolved"
    assert len(steps(incident)) == 1


def test_the_database_refuses_what_skips_the_workflow(incident, people):
    with pytest.raises(IntegrityError), transaction.atomic():  # resolved with no reason
        Incident.objects.filter(pk=incident.pk).update(status="resolved")
    do_resolve_incident(incident, acting_user=people["executive"], reason="explained")
    with pytest.raises(IntegrityError), transaction.atomic():  # the lifecycle trigger: resolved is final
        Incident.objects.filter(pk=incident.pk).update(status="open")
    assert Incident.objects.get(pk=incident.pk).status == "resolved"


def test_operators_observers_and_other_areas_take_no_step(incident, people, make_user, election):
    branch = incident.branch
    other = next(b for b in election.branches.select_related("area").order_by("-number")
                 if not b.area.path.startswith(branch.area.path) and not branch.area.path.startswith(b.area.path))
    elsewhere = make_user(Role.EXECUTIVE_BOARD, "w-exec-elsewhere", area=other.area)
    here = make_user(Role.EXECUTIVE_BOARD, "w-exec-here", area=branch.area)
    for user in (people["operator"], people["observer"], elsewhere):
        for step in (lambda u: do_assign_incident(incident, "hq", acting_user=u),
                     lambda u: do_resolve_incident(incident, acting_user=u, reason="mine"),
                     lambda u: do_comment_incident(incident, acting_user=u, text="mine")):
            with pytest.raises(AuthorityRefused):
                step(user)
        assert steps_for(user, incident) == []
    assert steps(incident) == []
    assert steps_for(here, incident) == ["assign", "escalate", "resolve", "comment"]
    do_assign_incident(incident, "hq", acting_user=here)
    assert steps_for(people["hq"], incident) == ["assign", "escalate", "resolve", "comment"]
    assert steps_for(people["supervisor"], incident) == ["comment"]


def test_a_person_holding_two_roles_acts_in_the_one_the_step_allows(incident, make_user, people):
    both = make_user(Role.SUPERVISORY_BOARD, "w-two-hats")
    with pytest.raises(AuthorityRefused):
        do_assign_incident(incident, "hq", acting_user=both)
    appoint(both, Role.HQ_ADMIN)  # allowed together (the executive and supervisory boards are not)
    do_assign_incident(incident, "hq", acting_user=both)
    do_escalate_incident(incident, acting_user=both, reason="needs the board")
    with pytest.raises(AuthorityRefused) as refused:  # and cannot then review its own escalation
        do_resolve_incident(incident, acting_user=both, reason="decided by myself")
    assert refused.value.code == "own_escalation" and refused.value.message_fa
    assert steps_for(both, incident) == ["comment"]
    do_resolve_incident(incident, acting_user=people["supervisor"], reason="decided by the board")
    assert [role for _, _, role in steps(incident)] == ["hq_admin", "hq_admin", "supervisory_board"]


def test_steps_only_while_the_day_and_its_count_are_open(incident, people):
    set_state("certified")
    with pytest.raises(WrongState):
        do_resolve_incident(incident, acting_user=people["executive"], reason="late")
    assert steps_for(people["executive"], incident) == []  # the page offers no step it would refuse
    assert Incident.objects.get(pk=incident.pk).status == "open"


def test_the_pages_list_show_and_take_steps_by_role(client, incident, people):
    code = incident.election.code
    client.force_login(people["observer"])
    assert client.get(reverse("polling:incidents", args=[code])).status_code == 403
    client.force_login(people["executive"])
    page = client.get(reverse("polling:incidents", args=[code])).content.decode()
    assert f'data-testid="incident-{incident.pk}"' in page and "رخدادهای روز رأی‌گیری" in page
    detail = reverse("polling:incident", args=[code, incident.pk])
    page = client.get(detail).content.decode()
    assert 'data-testid="step-resolve"' in page and 'data-testid="step-assign"' in page
    step = reverse("polling:incident_step", args=[code, incident.pk, "resolve"])
    page = client.post(step, {"text": ""}, follow=True).content.decode()
    assert "لازم است" in page and Incident.objects.get(pk=incident.pk).status == "open"
    client.post(reverse("polling:incident_step", args=[code, incident.pk, "escalate"]), {"text": "disputed"})
    client.force_login(people["executive"])
    page = client.post(step, {"text": "we close it"}, follow=True).content.decode()
    assert "هیئت نظارت" in page and Incident.objects.get(pk=incident.pk).status == "escalated"
    client.force_login(people["supervisor"])
    page = client.get(detail).content.decode()
    assert 'data-testid="step-resolve"' in page and 'data-testid="step-escalate"' not in page
    page = client.post(step, {"text": "the clerk's error"}, follow=True).content.decode()
    assert Incident.objects.get(pk=incident.pk).status == "resolved" and "the clerk&#x27;s error" in page
    assert 'data-testid="step-' not in page
    assert client.post(reverse("polling:incident_step", args=[code, incident.pk, "delete"])).status_code == 404
    page = client.get(reverse("polling:incidents", args=[code]) + "?status=resolved").content.decode()
    assert f'data-testid="incident-{incident.pk}"' in page
