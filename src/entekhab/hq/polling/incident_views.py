"""The boards' incident pages: the list by state, one incident with its history, and its steps.

The views parse and call the ``do_*`` steps of :mod:`entekhab.hq.polling.actions.workflow`;
who may take which step is decided there. The history is read from the audit chain.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from entekhab.domain.errors import DomainError
from entekhab.hq.accounts.guard import AuthorityRefused
from entekhab.hq.accounts.roles import ROLE_NAMES_FA, Role
from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.elections.models import Election
from entekhab.hq.polling.actions.workflow import (
    do_assign_incident,
    do_comment_incident,
    do_escalate_incident,
    do_resolve_incident,
    steps_for,
)
from entekhab.hq.polling.models import Incident, IncidentBody, IncidentKind, IncidentStatus
from entekhab.hq.web.access import election_view, localised_message

PAGE_SIZE = 200


@election_view("polling.view_incident")
def incidents_page(request: HttpRequest, election: Election) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in IncidentStatus.values:
        status = ""
    rows = Incident.objects.filter(election=election).select_related("branch")
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    by_kind = dict(rows.exclude(status=IncidentStatus.RESOLVED).values_list("kind").annotate(n=Count("id")).order_by())
    shown = rows.filter(status=status) if status else rows.exclude(status=IncidentStatus.RESOLVED)
    return render(request, "polling/incidents.html", {
        "election": election,
        "status": status,
        "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in IncidentStatus],
        "kinds": [(k.label, by_kind[k.value]) for k in IncidentKind if by_kind.get(k.value)],
        "incidents": shown.order_by("-created_at")[:PAGE_SIZE],
        "total": shown.count(),
        "page_size": PAGE_SIZE,
    })


@election_view("polling.view_incident")
def incident_page(request: HttpRequest, election: Election, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("branch__area"), election=election, pk=pk)
    history = (AuditEvent.objects.filter(target_type=Incident._meta.label, target_id=str(incident.pk))
               .order_by("pk"))
    return render(request, "polling/incident.html", {
        "election": election,
        "incident": incident,
        "history": [(e, _role_name(e)) for e in history],
        "steps": steps_for(request.user, incident),
        "bodies": [(b.value, b.label) for b in IncidentBody],
    })


def _role_name(event: AuditEvent) -> str:
    role = (event.after or {}).get("role", "")
    return ROLE_NAMES_FA[Role(role)] if role in Role._value2member_map_ else role


@require_POST
@election_view("polling.view_incident")
def incident_step(request: HttpRequest, election: Election, pk: int, step: str) -> HttpResponse:
    incident = get_object_or_404(Incident, election=election, pk=pk)
    text = request.POST.get("text", "")
    try:
        if step == "assign":
            do_assign_incident(incident, request.POST.get("body", ""), acting_user=request.user, note=text)
        elif step == "escalate":
            do_escalate_incident(incident, acting_user=request.user, reason=text)
        elif step == "resolve":
            do_resolve_incident(incident, acting_user=request.user, reason=text)
        elif step == "comment":
            do_comment_incident(incident, acting_user=request.user, text=text)
        else:
            raise Http404(step)
    except (AuthorityRefused, DomainError) as exc:  # both carry message_en and message_fa
        messages.error(request, localised_message(exc))
    else:
        messages.success(request, IncidentStatus(Incident.objects.get(pk=pk).status).label)
    return redirect("polling:incident", code=election.code, pk=pk)
