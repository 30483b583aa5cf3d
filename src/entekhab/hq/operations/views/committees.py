"""Committees, decrees (with their PDF) and the action items board."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import parse_jalali
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.committees import do_set_action_status
from entekhab.hq.operations.models import ActionItem, Committee, Decree
from entekhab.hq.operations.models.committees import ACTION_STATUS_FA, ACTION_TRANSITIONS
from entekhab.hq.operations.pdf import render_pdf
from entekhab.hq.operations.policy import UPCOMING_DAYS
from entekhab.hq.operations.views.common import message, ops_view


def _as_of(request: HttpRequest) -> dt.date:
    """The board's reference day: today, or a Jalali ``?on=1405/02/01`` to see it as of another day."""
    raw = request.GET.get("on", "").strip()
    if raw:
        try:
            return parse_jalali(raw)
        except DomainError:
            pass
    return timezone.localdate()


@ops_view("operations.view_committee")
def committees_page(request: HttpRequest, election: Election) -> HttpResponse:
    committees = Committee.objects.filter(election=election).prefetch_related("members", "meetings")
    decrees = Decree.objects.filter(election=election).select_related("committee")
    return render(
        request, "operations/committees.html", {"election": election, "committees": committees, "decrees": decrees}
    )


@ops_view("operations.view_actionitem")
def actions_page(request: HttpRequest, election: Election) -> HttpResponse:
    day = _as_of(request)
    items = list(ActionItem.objects.filter(election=election).select_related("meeting__committee"))
    live = [i for i in items if i.status in ("open", "in_progress")]
    groups = [
        ("overdue", [i for i in live if i.due_on < day]),
        ("upcoming", [i for i in live if day <= i.due_on <= day + UPCOMING_DAYS]),
        ("later", [i for i in live if i.due_on > day + UPCOMING_DAYS]),
        ("closed", [i for i in items if i.status not in ("open", "in_progress")]),
    ]
    moves = {
        i.pk: [(t, ACTION_STATUS_FA[t]) for t, (src, _) in ACTION_TRANSITIONS.items() if i.status in src] for i in items
    }
    return render(
        request, "operations/actions.html", {"election": election, "groups": groups, "day": day, "moves": moves}
    )


@require_POST
@ops_view("operations.view_actionitem")
def action_status(request: HttpRequest, election: Election, pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem, election=election, pk=pk)
    try:
        do_set_action_status(
            item, request.POST.get("status", ""), acting_user=request.user, reason=request.POST.get("reason", "")[:300]
        )
    except DomainError as exc:
        messages.error(request, message(exc))
    return redirect("operations:actions", code=election.code)


@ops_view("operations.view_decree")
def decree_pdf(request: HttpRequest, election: Election, pk: int) -> HttpResponse:
    decree = get_object_or_404(Decree.objects.select_related("committee"), election=election, pk=pk)
    return render_pdf(request, "operations/pdf/decree.html", {"decree": decree, "election": election},
                      f"decree-{decree.pk}.pdf", ("decree", election.code, str(decree.pk)))
