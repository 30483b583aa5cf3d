"""What ``entekhab demo`` shows after polling day: totals, seats, certification, turnout, open data.

:func:`run_results_demo` is called by the lead's demo once polling day has stored its
reports (or, with ``simulate_if_empty``, stores a synthetic polling day first). It counts
every report, computes every contest's result, lets the demo executive board approve and
the demo supervisory board confirm them (the Tehran council is left approved, waiting for
the supervisory board, so the certification step can be shown live), freezes the official
turnout figures, writes an open data snapshot and recounts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.demo.people import advance_to, demo_user
from entekhab.hq.elections.models import Contest, Election
from entekhab.hq.polling.models import BranchReport
from entekhab.hq.results.actions import do_certify, do_compute_result, election_inputs
from entekhab.hq.results.models import TurnoutAnnouncement
from entekhab.hq.results.opendata import do_publish_open_data
from entekhab.hq.results.polling_day import store_polling_day
from entekhab.hq.results.totals import absorb_new_reports, check_running_totals
from entekhab.hq.results.turnout import announcement_slots, do_announce_turnout
from entekhab.publication.opendata import recount_folder

Step = Callable[[str, int], None]
LEFT_FOR_THE_SUPERVISORS = "council-tehran"


def run_results_demo(election: Election, *, seed: int = 1405, simulate_if_empty: bool = True,
                     publish_all: bool = False, step: Step | None = None) -> dict[str, Any]:
    step = step or (lambda what, n: None)
    if simulate_if_empty and not BranchReport.objects.filter(branch__election=election).exists():
        step("synthetic polling day (no reports stored yet)", election.branches.count())
        store_polling_day(election, seed=seed)
    step("counting branch reports", BranchReport.objects.filter(branch__election=election).count())
    absorbed = absorb_new_reports(election)
    disagreements = check_running_totals(election)
    advance_to(election, ElectionState.COUNTING, reason="demo: polls closed, counting")
    hq, executive, supervisor = demo_user("demo"), demo_user("demo-executive"), demo_user("demo-supervisor")
    contests = list(Contest.objects.filter(election=election).order_by("code"))
    step("results and certification", len(contests))
    states = {}
    inputs = election_inputs(election)
    for contest in contests:
        pending = contest.result_versions.filter(state__in=["computed", "approved"]).first()
        version = pending or do_compute_result(contest, acting_user=hq, reason="demo: all reports counted",
                                               inputs=inputs)
        if version.state == "computed":
            version = do_certify(version, "approve", acting_user=executive)
        if version.state == "approved" and (publish_all or contest.code != LEFT_FOR_THE_SUPERVISORS):
            version = do_certify(version, "confirm", acting_user=supervisor, publish=False)  # one publication below
        states[contest.code] = version.state
    announced = {a.slot for a in TurnoutAnnouncement.objects.filter(election=election)}
    day_after = dt.datetime.combine(election.polling_date + dt.timedelta(days=1), dt.time(12), dt.UTC)
    for slot in announcement_slots(election):
        if slot not in announced:
            do_announce_turnout(election, slot, acting_user=hq, now=max(day_after, slot))
    step("open data snapshot and recount", 1)
    folder = do_publish_open_data(election, acting_user=hq)
    outcome = recount_folder(folder)
    return {"counted": absorbed.counted, "conflicts": absorbed.conflicts,
            "running_totals_agree": not disagreements, "results": states, "open_data": str(folder),
            "recount_agrees": outcome.agrees, "recount": outcome.as_json()}
