"""Live network status by region: online / degraded / offline branches and open outages."""

from __future__ import annotations

from collections import Counter

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from entekhab.hq.elections.models import Election
from entekhab.hq.operations.charts import stacked_bars
from entekhab.hq.operations.models import OutageIncident
from entekhab.hq.operations.models.network import NET_STATUS_FA, BranchNetwork, NetStatus
from entekhab.hq.operations.views.common import ops_view, region_names, region_of

COLOURS = {"online": "#2e8b57", "degraded": "#e0a526", "offline": "#c0392b", "unmonitored": "#9aa5a1"}


def network_rows(election: Election) -> list[tuple[str, str, dict[str, int]]]:
    per_region: dict[str, Counter] = {}
    status = dict(BranchNetwork.objects.filter(branch__election=election).values_list("branch_id", "status"))
    for bid, path in election.branches.values_list("id", "area__path"):
        per_region.setdefault(region_of(path), Counter())[status.get(bid, NetStatus.UNMONITORED.value)] += 1
    names = region_names(set(per_region))
    return [(code, names.get(code, code), dict(c)) for code, c in sorted(per_region.items())]


@ops_view("operations.view_branchnetwork")
def network_page(request: HttpRequest, election: Election) -> HttpResponse:
    rows = network_rows(election)
    series = [(s.value, NET_STATUS_FA[s.value], COLOURS[s.value]) for s in NetStatus]
    incidents = OutageIncident.objects.filter(branch__election=election, closed_at__isnull=True).select_related(
        "branch"
    )
    from entekhab.hq.polling.models import DeviceEnrolment, EnrolmentState

    # The polling-day devices, least recently heard first: the ones to ring are at the top.
    heard = (DeviceEnrolment.objects.filter(election=election, state=EnrolmentState.ACTIVE)
             .select_related("branch").order_by(F("heartbeat_at").asc(nulls_first=True), "serial")[:50])
    return render(
        request,
        "operations/network.html",
        {
            "election": election,
            "rows": rows,
            "series": series,
            "chart": stacked_bars([(name, c) for _, name, c in rows], series),
            "incidents": incidents,
            "heard": heard,
            "recent": OutageIncident.objects.filter(branch__election=election, closed_at__isnull=False).select_related(
                "branch"
            )[:20],
        },
    )
