"""The incident workflow: assign to a body, escalate to the supervisory board, resolve with a reason.

Who may take a step depends on where the incident stands, not only on a permission:

| step | open | assigned to a body | escalated |
|---|---|---|---|
| assign (or reassign) | executive board, HQ | executive board, HQ | supervisory board (sends it back) |
| escalate | executive board, HQ | the body it is assigned to | — |
| resolve (with a reason) | executive board, HQ | the body it is assigned to | supervisory board |
| comment | any of the three | any of the three | any of the three |

A resolved incident is final (``INCIDENT``, also a database trigger). Each step passes the
guard (the permission on the incident's branch, so an appointment in another area is refused,
and the election's state), then the role rule above, and is one audit event naming the role the
person acted in: a person holding two roles acts in the one the step allows, and who escalated
an incident cannot also decide it in the supervisory board.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from entekhab.domain.digits import LIST_SEPARATOR
from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.accounts import scope
from entekhab.hq.accounts.guard import AuthorityRefused, authorize, election_state
from entekhab.hq.accounts.roles import ROLE_NAMES_FA, Role
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.polling.models import INCIDENT, Incident, IncidentBody, IncidentStatus
from entekhab.i18n import N_, en_fa, gettext_in

# Incidents arise from the day the devices are enrolled until the count: a step is taken then.
WORKFLOW_STATES = frozenset({ElectionState.READY, ElectionState.POLLING, ElectionState.CLOSED,
                             ElectionState.COUNTING})
MAX_TEXT = 2000
BODY_ROLE = {IncidentBody.EXECUTIVE: Role.EXECUTIVE_BOARD, IncidentBody.SUPERVISORY: Role.SUPERVISORY_BOARD,
             IncidentBody.HQ: Role.HQ_ADMIN}
RUNNERS = frozenset({Role.EXECUTIVE_BOARD, Role.HQ_ADMIN})  # who runs the day's branches
BOARDS = frozenset({*RUNNERS, Role.SUPERVISORY_BOARD})
STEPS = ("assign", "escalate", "resolve", "comment")
STEP_NAMES = {"assign": N_("assign a polling incident"), "escalate": N_("escalate a polling incident"),
              "resolve": N_("resolve a polling incident"), "comment": N_("comment on a polling incident")}


class IncidentRefused(DomainError):
    """A workflow step that the incident's state or the text given does not allow (HTTP 409)."""

    code = "incident_refused"
    http_status = 409


def allowed_roles(step: str, incident: Incident) -> frozenset[Role]:
    """The roles that may take ``step`` on ``incident`` as it stands (the table above)."""
    status, body = incident.status, incident.assigned_to
    if step == "comment":
        return BOARDS
    if status == IncidentStatus.ESCALATED:
        return frozenset({Role.SUPERVISORY_BOARD}) if step in ("assign", "resolve") else frozenset()
    if status == IncidentStatus.ASSIGNED and step in ("escalate", "resolve"):
        return frozenset({BODY_ROLE[IncidentBody(body)]})
    return RUNNERS


def acting_role(user: Any, step: str, incident: Incident) -> Role | None:
    """The role in which ``user`` may take ``step`` here: an appointment covering the branch, in an allowed role."""
    allowed = allowed_roles(step, incident)
    place = scope.place_of(incident)
    for appointment in scope.appointments(user):
        if appointment.role in allowed and scope.covers(appointment, place, user):
            return Role(appointment.role)
    return None


def steps_for(user: Any, incident: Incident) -> list[str]:
    """The steps the page offers this user on this incident."""
    if incident.status == IncidentStatus.RESOLVED or election_state(incident.election_id) not in WORKFLOW_STATES:
        return []
    own = incident.status == IncidentStatus.ESCALATED and _escalated_by(incident) == user.pk
    return [s for s in STEPS if scope.holds(user, f"polling.{s}_incident", incident)
            and acting_role(user, s, incident) is not None
            and not (s == "escalate" and incident.assigned_to == IncidentBody.SUPERVISORY)
            and not (own and s != "comment")]


def _text(value: str, *, required: bool, what_en: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise IncidentRefused(*en_fa("a %(what)s is required", what=what_en, what_fa=gettext_in("fa", what_en)),
                              code="reason_required")
    if len(value) > MAX_TEXT:
        raise IncidentRefused(*en_fa("the text is longer than %(limit)s characters", limit=MAX_TEXT),
                              code="too_long")
    return value


def _step(incident: Incident, step: str, acting_user: Any, act) -> Incident:
    """Guard, lock, re-check on the locked row, act, and record one audit event."""
    authorize(acting_user, f"polling.{step}_incident", incident, states=WORKFLOW_STATES, what=STEP_NAMES[step])
    with transaction.atomic():
        locked = Incident.objects.select_for_update().select_related("branch__area").get(pk=incident.pk)
        if locked.status == IncidentStatus.RESOLVED:
            raise IncidentRefused(*en_fa("this incident is resolved; a resolution is final"), code="resolved")
        role = acting_role(acting_user, step, locked)
        if role is None:
            allowed = sorted(allowed_roles(step, locked))
            names_en = ", ".join(r.value for r in allowed) or "nobody"
            names_fa = LIST_SEPARATOR.join(ROLE_NAMES_FA[r] for r in allowed) or gettext_in("fa", "nobody")
            raise AuthorityRefused(*en_fa(
                "only %(roles)s may %(step)s now (the incident is %(status)s)",
                roles=names_en, step=STEP_NAMES[step], status=locked.status, roles_fa=names_fa,
                step_fa=gettext_in("fa", STEP_NAMES[step]), status_fa=INCIDENT.fa(IncidentStatus(locked.status))))
        if step != "comment" and locked.status == IncidentStatus.ESCALATED \
                and _escalated_by(locked) == acting_user.pk:
            raise AuthorityRefused(*en_fa("who escalated an incident does not decide it: the supervisory board "
                                          "reviews another person's judgement"), code="own_escalation")
        before = {"status": locked.status, "assigned_to": locked.assigned_to}
        event, after, reason = act(locked)
        record(actor=acting_user, action=event, target=locked, before=before,
               after={"status": locked.status, "assigned_to": locked.assigned_to, "role": role.value, **after},
               reason=reason)
    incident.refresh_from_db()
    return incident


def _escalated_by(incident: Incident) -> int | None:
    """The person who escalated the incident last (a person holding two roles cannot review themselves)."""
    from entekhab.hq.audit.models import AuditEvent

    return (AuditEvent.objects.filter(target_type=Incident._meta.label, target_id=str(incident.pk),
                                      action=Event.POLLING_INCIDENT_ESCALATE)
            .order_by("-pk").values_list("actor_id", flat=True).first())


def do_assign_incident(incident: Incident, body: str, *, acting_user: Any, note: str = "") -> Incident:
    """Give the incident to a body (executive board, supervisory board, HQ) to act on."""
    if body not in IncidentBody.values:
        raise IncidentRefused(*en_fa("unknown body %(body)s", body=repr(body)[:40]), code="unknown_body")
    note = _text(note, required=False, what_en=N_("note"))

    def act(locked: Incident):
        if locked.status != IncidentStatus.ASSIGNED:
            INCIDENT.move(locked, IncidentStatus.ASSIGNED, field="status")
        locked.assigned_to = body
        locked.save(update_fields=["status", "assigned_to"])
        return Event.POLLING_INCIDENT_ASSIGN, {}, note

    return _step(incident, "assign", acting_user, act)


def do_escalate_incident(incident: Incident, *, acting_user: Any, reason: str) -> Incident:
    """Raise the incident to the supervisory board, with the reason the body could not settle it."""
    reason = _text(reason, required=True, what_en=N_("reason"))

    def act(locked: Incident):
        if locked.assigned_to == IncidentBody.SUPERVISORY:
            raise IncidentRefused(*en_fa("this incident is already with the supervisory board"),
                                  code="already_escalated")
        INCIDENT.move(locked, IncidentStatus.ESCALATED, field="status")
        locked.assigned_to = IncidentBody.SUPERVISORY
        locked.save(update_fields=["status", "assigned_to"])
        return Event.POLLING_INCIDENT_ESCALATE, {}, reason

    return _step(incident, "escalate", acting_user, act)


def do_resolve_incident(incident: Incident, *, acting_user: Any, reason: str) -> Incident:
    """Close the incident with the reason (an explained ballot excess then unblocks certification)."""
    reason = _text(reason, required=True, what_en=N_("reason"))

    def act(locked: Incident):
        INCIDENT.move(locked, IncidentStatus.RESOLVED, field="status")
        locked.resolved_at, locked.resolved_by, locked.resolution = timezone.now(), acting_user, reason
        locked.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        return Event.POLLING_INCIDENT_RESOLVE, {}, reason

    return _step(incident, "resolve", acting_user, act)


def do_comment_incident(incident: Incident, *, acting_user: Any, text: str) -> Incident:
    """A note on the incident's history; it changes nothing else."""
    text = _text(text, required=True, what_en=N_("comment"))

    def act(locked: Incident):
        return Event.POLLING_INCIDENT_COMMENT, {}, text

    return _step(incident, "comment", acting_user, act)
