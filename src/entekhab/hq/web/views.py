"""Public pages of the headquarters server."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from entekhab.hq.elections.models import Election


def home(request: HttpRequest) -> HttpResponse:
    elections = Election.objects.annotate(
        n_contests=Count("contests", distinct=True),
        n_styles=Count("ballot_styles", distinct=True),
    )
    rows = []
    for e in elections:
        agg = e.branches.aggregate(n=Count("id"), eligible=Sum("eligible_estimate"))
        e.n_branches, e.eligible = agg["n"], agg["eligible"] or 0
        rows.append(e)
    return render(request, "web/home.html", {"elections": rows})
