"""Devices by kind and state, by region, the public draws, and one device's life."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from entekhab.domain.device_lifecycle import (
    KIND_FA,
    STATE_FA,
    TRANSITIONS,
    DeviceEvent,
    DeviceKind,
    DeviceState,
    events_from,
)
from entekhab.domain.digits import to_ascii_digits
from entekhab.domain.errors import DomainError
from entekhab.hq.elections.models import Election
from entekhab.hq.operations.actions.common import OperationRefused
from entekhab.hq.operations.actions.devices import do_device_event, do_replace_device
from entekhab.hq.operations.actions.draws import rerun
from entekhab.hq.operations.charts import stacked_bars
from entekhab.hq.operations.models import Device, Draw
from entekhab.hq.operations.views.common import message, ops_view, region_names
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
    events = [(e.value, STATE_FA[TRANSITIONS[e].target]) for e in events_from(device.state)
              if e is not DeviceEvent.REPLACE and request.user.has_perm(f"operations.{TRANSITIONS[e].permission}")]
    reserves = []
    if device.state == DeviceState.FAULTY and request.user.has_perm("operations.replace_device"):
        reserves = list(Device.objects.filter(region=device.region, kind=device.kind, state=DeviceState.ALLOCATED,
                                              branch__isnull=True).values_list("serial", flat=True)[:50])
    return render(request, "operations/device.html", {
        "election": election, "device": device, "log": device.log.select_related("actor"), "events": events,
        "reserves": reserves, "default_place": device.branch.code if device.branch else ""})


@require_POST
@ops_view("operations.view_device")
def device_event(request: HttpRequest, election: Election, serial: str) -> HttpResponse:
    """One lifecycle event, or a replacement with its journal transfer; refusals come back as messages."""
    device = get_object_or_404(Device, serial=serial)
    try:
        if request.POST.get("event") == "replace":
            replacement = Device.objects.filter(serial=request.POST.get("replacement", "").strip().upper()).first()
            if replacement is None:
                raise OperationRefused("choose a reserve device",
                                       code="bad_replacement")
            try:
                entries = int(to_ascii_digits(request.POST.get("journal_entries", "")))
            except ValueError as exc:
                raise OperationRefused("the journal entry count is a whole number", code="journal_invalid") from exc
            do_replace_device(device, replacement, journal_entries=entries,
                              journal_head=request.POST.get("journal_head", ""),
                              witnesses=request.POST.get("witnesses", ""), acting_user=request.user)
        else:
            do_device_event(device, request.POST.get("event", ""), place=request.POST.get("place", ""),
                            note=request.POST.get("note", ""), acting_user=request.user)
    except DomainError as exc:
        messages.error(request, message(exc))
    except PermissionDenied:
        messages.error(request, gettext("You are not allowed to do this."))
    return redirect("operations:device", code=election.code, serial=device.serial)


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
