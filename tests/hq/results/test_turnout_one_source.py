"""One source of turnout (issue 15): the live figure and the official ones count the same check-ins.

Polling's own simulation (real device agents, the HQ API over HTTP) stamps every check-in with
polling-day time, as HQ's clock reads on polling day; the hours are Tehran hours only at display.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from entekhab.hq.polling.models import CheckIn
from entekhab.hq.results.demo import run_results_demo
from entekhab.hq.results.models import TurnoutAnnouncement
from entekhab.hq.results.public import clear_cache
from entekhab.hq.results.turnout import TEHRAN, hourly, turnout
from tests.seeds import reseed_after_flush


def test_live_and_official_turnout_come_from_the_same_polling_day_check_ins(transactional_db, tmp_path, client):
    from entekhab.hq.demo.load import load_demo
    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.simulate import simulate_polling_day

    clear_cache()
    reseed_after_flush()
    load_demo("small", 1405)
    election = Election.objects.get(code="1405")
    simulate_polling_day(out_dir=tmp_path, branches=3, voters_per_branch=8, seed=7)
    run_results_demo(election, seed=7)  # the other branches' synthetic day, certification, official figures

    opens = dt.datetime.combine(election.polling_date, election.opens_at, TEHRAN)
    closes = dt.datetime.combine(election.polling_date, election.closes_at, TEHRAN)
    times = list(CheckIn.objects.filter(election=election).values_list("at", flat=True))
    outside = [t.astimezone(TEHRAN).isoformat() for t in times if not opens <= t <= closes]
    assert not outside, outside

    live = turnout(election).total.checkins
    midnight = TurnoutAnnouncement.objects.get(election=election, slot=max(
        TurnoutAnnouncement.objects.filter(election=election).values_list("slot", flat=True)))
    assert midnight.slot.astimezone(TEHRAN).time() == dt.time(0)
    assert midnight.checkins == live == len(times)

    rows = hourly(election)
    hours = [h for h, _, _ in rows]
    assert all(h.tzinfo is not None and h.astimezone(TEHRAN).date() == election.polling_date for h in hours)
    assert len({h.astimezone(TEHRAN).hour for h in hours}) == len(hours)  # one bar per hour of the day
    assert rows[-1][2] == live
    page = client.get(reverse("results:turnout", args=[election.code]))
    assert page.status_code == 200
