"""The HQ dashboard: readiness, devices, staff and open action items at a glance."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from entekhab.domain.device_lifecycle import STATE_FA, DeviceState
from entekhab.domain.readiness import READINESS_FA, Readiness
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.inspections import readiness_by_branch
from entekhab.hq.operations.actions.staff import staffing_gaps
from entekhab.hq.operations.charts import donut, stacked_bars
from entekhab.hq.operations.models import ActionItem, Certification, Device, Person, StaffAssignment
from entekhab.hq.operations.models.network import BranchNetwork
from entekhab.hq.operations.policy import UPCOMING_DAYS
from entekhab.hq.operations.views.common import ops_view, region_names, region_of

READINESS_COLOURS = {
    Readiness.READY: "#2e8b57",
    Readiness.CONDITIONAL: "#e0a526",
    Readiness.NOT_READY: "#c0392b",
    Readiness.NOT_INSPECTED: "#9aa5a1",
}
STATE_COLOURS = {
    "received": "#9aa5a1",
    "tested": "#5dade2",
    "test_failed": "#7f1d1d",
    "allocated": "#2874a6",
    "deployed": "#1e8449",
    "in_service": "#0b5d4b",
    "faulty": "#c0392b",
    "replaced": "#884ea0",
    "returned": "#555",
}


def index(request: HttpRequest) -> HttpResponse:
    election = Election.objects.order_by("-polling_date").first()
    if election is None:
        return redirect("/")
    return redirect("operations:dashboard", code=election.code)


def readiness_rows(election: Election) -> list[tuple[str, dict[str, int]]]:
    by_branch = readiness_by_branch(election)
    per_region: dict[str, Counter] = {}
    for bid, path in election.branches.values_list("id", "area__path"):
        per_region.setdefault(region_of(path), Counter())[by_branch[bid].value] += 1
    names = region_names(set(per_region))
    return [(names.get(code, code), dict(c)) for code, c in sorted(per_region.items())]


def readiness_series() -> list[tuple[str, str, str]]:
    return [(r.value, READINESS_FA[r], READINESS_COLOURS[r]) for r in Readiness]


@ops_view("operations.view_inspection")
def dashboard(request: HttpRequest, election: Election) -> HttpResponse:
    today = timezone.localdate()
    by_branch = readiness_by_branch(election)
    readiness_counts = Counter(r.value for r in by_branch.values())
    states = Counter(Device.objects.values_list("state", flat=True))
    items = ActionItem.objects.filter(election=election, status__in=["open", "in_progress"])
    overdue = items.filter(due_on__lt=today).count()
    upcoming = items.filter(due_on__gte=today, due_on__lte=today + UPCOMING_DAYS).count()
    assigned = StaffAssignment.objects.filter(election=election)
    network = Counter(BranchNetwork.objects.filter(branch__election=election).values_list("status", flat=True))
    context = {
        "election": election,
        "readiness": [(READINESS_FA[r], readiness_counts.get(r.value, 0), READINESS_COLOURS[r]) for r in Readiness],
        "readiness_donut": donut(
            [(READINESS_FA[r], readiness_counts.get(r.value, 0), READINESS_COLOURS[r]) for r in Readiness]
        ),
        "devices_donut": donut([(STATE_FA[s], states.get(s.value, 0), STATE_COLOURS[s.value]) for s in DeviceState]),
        "devices": [(STATE_FA[s], states.get(s.value, 0)) for s in DeviceState],
        "device_total": sum(states.values()),
        "pool": Person.objects.count(),
        "certified": Certification.objects.values("person").distinct().count(),
        "at_branches": assigned.filter(branch__isnull=False).count(),
        "reserves": assigned.filter(is_reserve=True).count(),
        "in_regions": assigned.filter(branch__isnull=True, is_reserve=False).count(),
        "gaps": len(staffing_gaps(election)) if assigned.exists() else None,
        "open_items": items.count(),
        "overdue": overdue,
        "upcoming": upcoming,
        "network": network,
        "region_chart": stacked_bars(readiness_rows(election), readiness_series()),
    }
    return render(request, "operations/dashboard.html", context)
