"""Devices by kind and state, by region, the public draws, and one device's life."""

from __future__ import annotations

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from entekhab.domain.device_lifecycle import KIND_FA, STATE_FA, DeviceKind, DeviceState
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.draws import rerun
from entekhab.hq.operations.charts import stacked_bars
from entekhab.hq.operations.models import Device, Draw
from entekhab.hq.operations.views.common import ops_view, region_names
from entekhab.hq.operations.views.dashboard import STATE_COLOURS


@ops_view("operations.view_device")
def devices_page(request: HttpRequest, election: Election) -> HttpResponse:
    table = Counter(Device.objects.values_list("kind", "state"))
    per_region = Counter(Device.objects.filter(region__isnull=False).values_list("region__code", "state"))
    codes = {c for c, _ in per_region}
    names = region_names(codes)
    rows = [(names.get(c, c), {s: n for (cc, s), n in per_region.items() if cc == c}) for c in sorted(codes)]
    series = [(s.value, STATE_FA[s], STATE_COLOURS[s.value]) for s in DeviceState]
    return render(
        request,
        "operations/devices.html",
        {
            "election": election,
            "states": [(s.value, STATE_FA[s]) for s in DeviceState],
            "kinds": [(k, KIND_FA[k], [table.get((k.value, s.value), 0) for s in DeviceState]) for k in DeviceKind],
            "chart": stacked_bars(rows, series) if rows else "",
            "draws": Draw.objects.filter(election=election).select_related("drawn_by"),
        },
    )


@ops_view("operations.view_device")
def device_page(request: HttpRequest, election: Election, serial: str) -> HttpResponse:
    device = get_object_or_404(Device.objects.select_related("region", "branch"), serial=serial)
    return render(
        request,
        "operations/device.html",
        {"election": election, "device": device, "log": device.log.select_related("actor")},
    )


@ops_view("operations.view_draw")
def draw_page(request: HttpRequest, election: Election, pk: int) -> HttpResponse:
    draw = get_object_or_404(Draw, election=election, pk=pk)
    again = rerun(draw)
    result = draw.result
    return render(
        request,
        "operations/draw.html",
        {
            "election": election,
            "draw": draw,
            "rerun_digest": again.digest,
            "matches": again.digest == draw.digest,
            "placements": result["placements"][:300],
            "n_placements": len(result["placements"]),
            "n_reserves": len(result["reserves"]),
            "shortfalls": result["shortfalls"],
            "entrants": len(draw.inputs["entrants"]),
            "slots": len(draw.inputs["slots"]),
        },
    )
