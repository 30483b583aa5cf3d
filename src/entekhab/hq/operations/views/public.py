"""The public draws, for everyone and without a login: seed and commitment, inputs, result, how to redo it.

People appear only by their per-draw pseudonyms (``actions/staff.py``); the page never
re-runs the draw itself: observers do, with ``entekhab ops rerun-draw`` on the JSON it offers.
"""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from entekhab.domain.draw import seed_commitment
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.draws import public_document
from entekhab.hq.operations.models import Draw
from entekhab.records.canonical import canonical_json

SHOWN_ROWS = 300


def _file_name(draw: Draw) -> str:
    return f"draw-{draw.election.code}-{draw.subject}-{draw.stage}.json"


def draws_index(request: HttpRequest) -> HttpResponse:
    """Every election's public draws, newest election first."""
    elections = Election.objects.order_by("-polling_date", "code").annotate(n_draws=Count("draws"))
    return render(request, "operations/public/index.html", {"elections": elections})


def election_draws(request: HttpRequest, code: str) -> HttpResponse:
    election = get_object_or_404(Election, code=code)
    # Counts come from ``summary``; a draw held before it was stored loads its inputs (deferred) on demand.
    draws = list(Draw.objects.filter(election=election).defer("roster", "inputs", "result")
                 .order_by("drawn_at", "pk"))
    for d in draws:
        d.n = d.counts()
    return render(request, "operations/public/election.html", {"election": election, "draws": draws})


def draw_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    election = get_object_or_404(Election, code=code)
    draw = get_object_or_404(Draw.objects.defer("roster"), election=election, pk=pk)
    result = draw.result
    document_url = request.build_absolute_uri(f"/draws/{election.code}/{draw.pk}.json")
    return render(request, "operations/public/draw.html", {
        "election": election,
        "draw": draw,
        "inputs_sha256": draw.inputs_sha256 or public_document(draw)["inputs_sha256"],
        "commitment_holds": seed_commitment(draw.seed) == draw.seed_commitment,
        "placements": result["placements"][:SHOWN_ROWS],
        "n_placements": len(result["placements"]),
        "reserves": result["reserves"][:SHOWN_ROWS],
        "n_reserves": len(result["reserves"]),
        "shortfalls": result["shortfalls"],
        "n_entrants": len(draw.inputs["entrants"]),
        "n_slots": len(draw.inputs["slots"]),
        "shown_rows": SHOWN_ROWS,
        "document_url": document_url,
        "file_name": _file_name(draw),
        "pseudonymous": draw.subject == "staff",
    })


def draw_document(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The published draw as JSON: what ``entekhab ops rerun-draw`` reads."""
    draw = get_object_or_404(Draw.objects.select_related("election").defer("roster"), election__code=code, pk=pk)
    body = canonical_json(public_document(draw))  # records owns canonical JSON (UTF-8, sorted keys)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(draw)}"'
    return response
