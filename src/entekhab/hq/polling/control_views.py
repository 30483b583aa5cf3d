"""The polling-day control room page: read-only, for HQ, both boards and the observers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from entekhab.hq.elections.models import Election
from entekhab.hq.operations.charts import forecast_bars, stacked_bars
from entekhab.hq.operations.views.common import region_names
from entekhab.hq.polling import clock
from entekhab.hq.polling.control_room import DAY_COLOURS, DAY_STATE_FA, LISTED, DayState, control_room
from entekhab.hq.web.access import election_view
from entekhab.hq.web.display import localise_number
from entekhab.i18n import gettext_in

REFRESH_SECONDS = 30


def _t(msgid: str) -> str:
    return msgid if get_language() == "en" else gettext_in("fa", msgid)


@election_view("polling.view_control_room")
def control_room_page(request: HttpRequest, election: Election) -> HttpResponse:
    room = control_room(election, clock.now())
    en = get_language() == "en"
    label = {s: (DAY_STATE_FA.en(s) if en else DAY_STATE_FA[s]) for s in DayState}
    series = [(s.value, label[s], DAY_COLOURS[s]) for s in DayState]
    names = region_names(set(room.regions))
    regions = [(code, names.get(code, code), sum(c.values()), [(s.value, label[s], c.get(s, 0)) for s in DayState],
                _tile(c)) for code, c in sorted(room.regions.items())]
    hours = [(localise_number(h) if not en else str(h), n, f) for h, n, f in room.hours]
    return render(request, "polling/control_room.html", {
        "election": election,
        "refresh": REFRESH_SECONDS,
        "room": room,
        "states": [(s.value, label[s], DAY_COLOURS[s], room.states.get(s, 0)) for s in DayState],
        "total": len(room.branches),
        "regions": regions,
        "region_chart": stacked_bars([(name, {k: n for k, _, n in cells}) for _, name, _, cells, _ in regions],
                                     series),
        "hour_chart": forecast_bars(hours, title=_t("check-ins per hour against the plan's forecast"),
                                    legend=(_t("check-ins"), _t("forecast"))),
        "queue_risk": room.queue_risk[:LISTED],
        "reconciliation": room.reconciliation[:LISTED],
        "listed": LISTED,
    })


def _tile(counts) -> str:
    """A region's colour: red if a branch is silent, dark green once all report, grey while one has not opened."""
    total = sum(counts.values())
    if counts.get(DayState.SILENT):
        return "silent"
    if total and counts.get(DayState.REPORTED) == total:
        return "reported"
    if counts.get(DayState.NOT_OPENED):
        return "not_opened"
    return "voting"
