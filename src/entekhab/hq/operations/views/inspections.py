"""Readiness by region, a branch's page, recording an inspection, deficiency lists per body."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from entekhab.domain.device_lifecycle import KIND_FA
from entekhab.domain.errors import DomainError
from entekhab.domain.readiness import BODY_FA, ITEMS, OPERATORS, RATING_FA, READINESS_FA, Body, Rating
from entekhab.domain.sensitivity import requirements
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.operations.actions.inspections import do_record_inspection, election_deficiencies
from entekhab.hq.operations.charts import stacked_bars
from entekhab.hq.operations.forms import InspectionForm
from entekhab.hq.operations.models import BranchSensitivity, Inspection
from entekhab.hq.operations.models.network import BranchNetwork
from entekhab.hq.operations.views.common import message, ops_view
from entekhab.hq.operations.views.dashboard import readiness_rows, readiness_series


@ops_view("operations.view_inspection")
def readiness_page(request: HttpRequest, election: Election) -> HttpResponse:
    rows = readiness_rows(election)
    lists = election_deficiencies(election)
    bodies = [(b, BODY_FA[b], len(lists.get(b, ())), len({d.branch for d in lists.get(b, ())})) for b in Body]
    return render(
        request,
        "operations/readiness.html",
        {
            "election": election,
            "rows": rows,
            "chart": stacked_bars(rows, readiness_series()),
            "series": readiness_series(),
            "bodies": bodies,
        },
    )


@ops_view("operations.view_inspection")
def deficiencies_page(request: HttpRequest, election: Election, body: str) -> HttpResponse:
    try:
        which = Body(body)
    except ValueError as exc:
        raise Http404(body) from exc
    items = election_deficiencies(election).get(which, ())
    names = dict(election.branches.filter(code__in={d.branch for d in items}).values_list("code", "venue_name"))
    rows = [
        {
            "branch": d.branch,
            "venue": names.get(d.branch, ""),
            "item": ITEMS[d.item].label_fa,
            "rating": RATING_FA[d.rating],
            "relocate": d.rating is Rating.RELOCATE,
            "note": d.note,
            "signal": d.signal_dbm,
        }
        for d in items
    ]
    return render(
        request,
        "operations/deficiencies.html",
        {
            "election": election,
            "body": which,
            "body_fa": BODY_FA[which],
            "rows": rows,
            "branches": len(names),
            "is_operator": which in OPERATORS,
        },
    )


@ops_view("elections.view_branch")
def branch_page(request: HttpRequest, election: Election, branch_code: str) -> HttpResponse:
    branch = get_object_or_404(Branch.objects.select_related("area"), election=election, code=branch_code)
    latest = branch.inspections.filter(is_latest=True).prefetch_related("items").first()
    sensitivity = BranchSensitivity.objects.filter(branch=branch).first()
    level = sensitivity.level if sensitivity else "normal"
    network = BranchNetwork.objects.filter(branch=branch).first()
    return render(
        request,
        "operations/branch.html",
        {
            "election": election,
            "branch": branch,
            "latest": latest,
            "readiness_fa": READINESS_FA[_readiness(latest)],
            "readiness": _readiness(latest).value,
            "items": [
                {
                    "label": ITEMS[i.code].label_fa,
                    "rating": i.rating,
                    "rating_fa": RATING_FA[Rating(i.rating)],
                    "body": BODY_FA[Body(i.body)],
                    "note": i.note,
                    "signal": i.signal_dbm,
                    "photo": i.photo,
                }
                for i in (latest.items.all() if latest else [])
            ],
            "history": branch.inspections.all()[:10],
            "sensitivity": sensitivity,
            "requirements": requirements(level),
            "links": branch.links.all(),
            "network": network,
            "outages": branch.outages.all()[:5],
            "devices": [(d, KIND_FA.get(d.kind, d.kind)) for d in branch.devices.all()],
            "staff": branch.staff.select_related("person").order_by("role"),
            "offline_windows": _offline_windows(branch),
        },
    )


def _offline_windows(branch: Branch) -> list[tuple[object, list[object]]]:
    """The branch's offline windows, each with the double check-in incidents raised inside it."""
    from entekhab.hq.polling.models import Incident, IncidentKind, OfflineWindow

    windows = list(OfflineWindow.objects.filter(branch=branch).select_related("device"))
    incidents = list(Incident.objects.filter(branch=branch, kind=IncidentKind.DOUBLE_CHECKIN)
                     .select_related("duplicate").order_by("duplicate__at"))
    return [(w, [i for i in incidents if i.duplicate and i.duplicate.device_id == w.device_id
                 and w.started_at <= i.duplicate.at <= w.ended_at]) for w in windows]


def _readiness(latest: Inspection | None):
    from entekhab.domain.readiness import Readiness

    return Readiness(latest.readiness) if latest else Readiness.NOT_INSPECTED


@ops_view("operations.add_inspection")
def inspect_page(request: HttpRequest, election: Election, branch_code: str) -> HttpResponse:
    branch = get_object_or_404(Branch, election=election, code=branch_code)
    form = InspectionForm(request.POST or None, request.FILES or None, venue_type=branch.venue_type)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            inspection = do_record_inspection(
                branch,
                inspected_on=form.cleaned_data["inspected_on"],
                inspector=form.cleaned_data["inspector"],
                ratings=form.ratings(),
                notes=form.cleaned_data["notes"],
                photos=form.photos(),
                acting_user=request.user,
            )
        except DomainError as exc:
            error = message(exc)
        else:
            messages.success(
                request,
                _("Inspection recorded: the branch is now %(readiness)s.") % {"readiness": inspection.readiness_fa},
            )
            return redirect("operations:branch", code=election.code, branch_code=branch.code)
    return render(
        request,
        "operations/inspect.html",
        {"election": election, "branch": branch, "form": form, "error": error},
        status=400 if error else 200,
    )
