"""Public pages of the headquarters server."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from entekhab.domain.lifecycle import AFTER_POLLING, ELECTION, POLLING_DAY, ElectionState
from entekhab.hq.elections.models import Election
from entekhab.hq.polling.models import BranchOpening, BranchReport


def home(request: HttpRequest) -> HttpResponse:
    """Each election's phase today, its size, polling-day progress, and every page a visitor may open."""
    elections = Election.objects.annotate(
        n_contests=Count("contests", distinct=True),
        n_styles=Count("ballot_styles", distinct=True),
    )
    rows = []
    for e in elections:
        agg = e.branches.aggregate(n=Count("id"), eligible=Sum("eligible_estimate"))
        e.n_branches, e.eligible = agg["n"], agg["eligible"] or 0
        state = ELECTION.state(e.state)
        e.phase_fa, e.phase_en, e.phase_step = ELECTION.fa(state), state.value.replace("_", " "), \
            list(ElectionState).index(state) + 1
        e.on_polling_day = state in POLLING_DAY
        e.after_polling = state in AFTER_POLLING
        if e.on_polling_day or e.after_polling:
            e.n_opened = BranchOpening.objects.filter(branch__election=e).count()
            e.n_reported = BranchReport.objects.filter(branch__election=e).values("branch").distinct().count()
        rows.append(e)
    return render(request, "web/home.html", {"elections": rows, "n_phases": len(ElectionState)})
