"""The rehearsal's HTML report: Persian first, the figures that must hold, and the day as charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from entekhab.i18n import gettext_in


def write_report(figures: dict[str, Any], path: Path) -> Path:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("fa"):
        html = render_to_string("polling/rehearsal_report.html", context(figures))
    path.write_text(html, encoding="utf-8")
    return path


def must_hold(figures: dict[str, Any]) -> list[tuple[str, str, Any, bool]]:
    """(key, English label, value, holds) for every promise the rehearsal checks; the test reads the same list."""
    f = figures
    return [
        ("duplicates_accepted", "duplicates accepted (must be 0)", f["duplicates_accepted"],
         f["duplicates_accepted"] == 0),
        ("duplicates_without_incident", "duplicates without an incident (must be 0)",
         f["duplicates_without_incident"], f["duplicates_without_incident"] == 0),
        ("staged_not_recorded", "staged second visits not recorded as duplicates (must be 0)",
         f["staged_not_recorded"], f["staged_not_recorded"] == 0),
        ("acknowledged_lost", "acknowledged check-ins lost (must be 0)", f["acknowledged_lost"],
         f["acknowledged_lost"] == 0),
        ("pending_after_close", "messages still unsent after the close (must be 0)", f["pending_after_close"],
         f["pending_after_close"] == 0),
        ("reports_stored", "branch reports stored, of branches rehearsed", f"{f['reports_stored']}/{f['branches']}",
         f["reports_stored"] == f["branches"] == f["reports_acknowledged"]),
        ("reports_short_of_records", "reports whose vote records are incomplete (must be 0)",
         len(f["reports_short_of_records"]), not f["reports_short_of_records"]),
        ("server_errors", "server errors (5xx) answered to the devices (must be 0)",
         sum(f["server_errors"].values()), not f["server_errors"]),
        ("control_room_agrees", "the control room's numbers equal the database's", f["control_room_agrees"],
         f["control_room_agrees"]),
        ("recount_agrees", "the published results recount", f["results"]["recount_agrees"],
         f["results"]["recount_agrees"]),
        ("error_count", "device errors the day did not plan for (must be 0)", f["error_count"],
         f["error_count"] == 0),
    ]


def context(figures: dict[str, Any]) -> dict[str, Any]:
    from entekhab.hq.operations.charts import forecast_bars
    from entekhab.hq.web.display import localise_number

    hours = [(localise_number(h), n, fc) for h, n, fc in figures["hourly"]]
    checks = [(key, gettext_in("fa", label), label, value, ok) for key, label, value, ok in must_hold(figures)]
    return {
        "f": figures,
        "checks": checks,
        "all_hold": all(ok for *_, ok in checks),
        "hour_chart": forecast_bars(hours, title=gettext_in("fa", "check-ins per hour against the plan's forecast"),
                                    legend=(gettext_in("fa", "check-ins"), gettext_in("fa", "forecast"))),
        "faults": figures["faults"],
        "tally": sorted(figures["tally"].items()),
        "refused": sorted(figures["refused"].items()),
    }
