"""The polling-day control room: its numbers equal the database's, read-only, for the boards and observers.

A part of the demo election's day is stored (some branches reported, some voting without a
report), then one branch's devices say they closed, one falls silent and one runs its mock
poll; the page's figures are compared with counts taken from the tables by other queries.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from entekhab.hq.accounts.roles import Role
from entekhab.hq.operations.models import BranchNetwork
from entekhab.hq.polling.control_room import TEHRAN, DayState, _so_far, control_room, day_state
from entekhab.hq.polling.models import BranchReport, CheckIn, DeviceEnrolment
from entekhab.hq.results.polling_day import _devices, store_polling_day

pytestmark = pytest.mark.election_state("polling")


def test_a_branch_shows_the_furthest_state_it_reached():
    s = day_state
    assert s(reported=False, silent=False, heard=set(), opened=False, checkins=0) == DayState.NOT_OPENED
    assert s(reported=False, silent=False, heard={"mock_poll"}, opened=False, checkins=0) == DayState.MOCK_POLL
    assert s(reported=False, silent=False, heard={"open", "mock_poll"}, opened=False, checkins=0) == DayState.OPENED
    assert s(reported=False, silent=False, heard={"open"}, opened=True, checkins=0) == DayState.ZERO_REPORT
    assert s(reported=False, silent=False, heard={"open"}, opened=True, checkins=3) == DayState.VOTING
    assert s(reported=False, silent=False, heard=set(), opened=False, checkins=1) == DayState.VOTING
    assert s(reported=False, silent=False, heard={"closed", "open"}, opened=True, checkins=3) == DayState.CLOSED
    assert s(reported=False, silent=True, heard={"closed"}, opened=True, checkins=3) == DayState.SILENT
    assert s(reported=True, silent=True, heard=set(), opened=False, checkins=0) == DayState.REPORTED


def test_the_forecast_so_far_follows_the_profile_and_the_polling_date():
    opening = dt.datetime(2026, 6, 12, 8, tzinfo=TEHRAN)
    shares = (0.5, 0.25, 0.25)
    assert _so_far(shares, opening, opening - dt.timedelta(days=1)) == 0
    assert _so_far(shares, opening, opening + dt.timedelta(minutes=30)) == pytest.approx(0.25)
    assert _so_far(shares, opening, opening + dt.timedelta(hours=1, minutes=30)) == pytest.approx(0.625)
    assert _so_far(shares, opening, opening + dt.timedelta(days=2)) == pytest.approx(1.0)


@pytest.fixture
def day(election):
    branches = list(election.branches.filter(ballot_style__isnull=False).select_related(
        "ballot_style", "election", "area").order_by("number")[:12])
    store_polling_day(election, seed=7, voters=(3, 9), branches=branches[:6])
    store_polling_day(election, seed=8, voters=(3, 9), branches=branches[6:10], report=False)
    closed, silent, mock = branches[6], branches[7], branches[10]
    DeviceEnrolment.objects.filter(branch=closed).update(heartbeat={"state": "closed"})
    _devices(mock)  # enrolled, nothing stored yet
    DeviceEnrolment.objects.filter(branch=mock).update(heartbeat={"state": "mock_poll"})
    now = timezone.now()
    BranchNetwork.objects.update_or_create(branch=silent, defaults={"status": "offline", "since": now,
                                                                    "checked_at": now})
    return election, {"closed": closed, "silent": silent, "mock": mock, "reported": branches[:6]}


def numbers(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-testid="([\w-]+)" data-n="(\d+)"', html)}


def test_the_page_equals_the_database_and_observers_read_it(client, make_user, day):
    election, _ = day
    reported = set(BranchReport.objects.filter(branch__election=election).values_list("branch_id", flat=True))
    client.force_login(make_user(Role.OBSERVER, "cr-observer"))
    response = client.get(reverse("polling:control_room", args=[election.code]))
    assert response.status_code == 200
    html = response.content.decode()
    got = numbers(html)
    assert got["state-total"] == election.branches.count()
    assert got["state-reported"] == len(reported) >= 6
    assert got["checkins"] == CheckIn.objects.filter(election=election).count()
    assert got["state-closed"] >= 1 and got["state-silent"] >= 1 and got["state-mock_poll"] >= 1
    assert sum(got[f"state-{s.value}"] for s in DayState) == got["state-total"]
    assert got["reconciled"] + got["unreconciled"] == BranchReport.objects.filter(branch__election=election).count()
    per_hour = dict(CheckIn.objects.filter(election=election).values_list("at__hour").annotate(n=Count("id")))
    local = {}
    for at in CheckIn.objects.filter(election=election).values_list("at", flat=True):
        local[at.astimezone(TEHRAN).hour] = local.get(at.astimezone(TEHRAN).hour, 0) + 1
    assert {h: got[f"hour-{h}"] for h in local} == local and sum(per_hour.values()) == got["checkins"]
    assert "اتاق کنترل روز رأی‌گیری" in html and 'lang="fa"' in html
    codes = set(CheckIn.objects.filter(election=election).values_list("national_code", flat=True))
    assert not any(code in html for code in codes)  # counts only, never a voter
    assert "<form" not in html.split('data-testid="day-states"')[1]  # read-only


def test_states_come_from_the_records(day):
    election, b = day
    room = control_room(election, timezone.now())
    state = {d.code: d.state for d in room.branches}
    assert state[b["closed"].code] == DayState.CLOSED
    assert state[b["silent"].code] == DayState.SILENT
    assert state[b["mock"].code] == DayState.MOCK_POLL
    assert {state[x.code] for x in b["reported"]} == {DayState.REPORTED}
    assert room.reconciliation == [] and room.reconciled == len(b["reported"])
    # a report with more ballots than HQ's check-ins does not reconcile
    report = BranchReport.objects.get(branch=b["reported"][0])
    CheckIn.objects.filter(id=CheckIn.objects.filter(branch=report.branch).order_by("id").values("id")[:1]).delete()
    room = control_room(election, timezone.now())
    assert [r["branch"] for r in room.reconciliation] == [report.branch.code]
    assert room.reconciliation[0]["excess"] == 1


def test_only_boards_hq_and_observers_see_it(client, make_user, election):
    url = reverse("polling:control_room", args=[election.code])
    assert client.get(url).status_code == 302  # to the login page
    for role in (Role.OPERATOR, Role.PARTY_REPRESENTATIVE, Role.USER_ADMIN):
        client.force_login(make_user(role, f"cr-{role.value.replace('_', '-')}"))
        assert client.get(url).status_code == 403, role
    for role in (Role.HQ_ADMIN, Role.EXECUTIVE_BOARD, Role.SUPERVISORY_BOARD):
        client.force_login(make_user(role, f"cr2-{role.value.replace('_', '-')}"))
        assert client.get(url).status_code == 200, role


def test_a_branch_whose_arrivals_outrun_its_forecast_is_a_queue_risk(election):
    from entekhab.hq.capacity.models import PlanRun

    scenario = election.plan_scenarios.order_by("pk").first()
    assert scenario is not None
    branch = election.branches.filter(ballot_style__isnull=False, eligible_estimate__gt=200).order_by("number").first()
    store_polling_day(election, seed=9, voters=(60, 60), branches=[branch], report=False)
    opening = dt.datetime.combine(election.polling_date, dt.time(8), TEHRAN)
    assert control_room(election, opening + dt.timedelta(minutes=20)).queue_risk == []  # no forecast yet
    PlanRun.objects.create(election=election, scenario=scenario, scenario_name=scenario.name,
                           scenario_definition=scenario.definition, state="done", started_at=timezone.now(),
                           finished_at=timezone.now())
    parsed = scenario.parsed()
    start = dt.datetime.combine(election.polling_date, dt.time(parsed.profile.opening_hour), TEHRAN)
    early = control_room(election, start + dt.timedelta(minutes=20))
    expected = branch.eligible_estimate * parsed.turnout_for(branch.code) * parsed.profile.shares()[0] / 3
    [risk] = [b for b in early.queue_risk if b.code == branch.code]
    assert risk.checkins == 60 and risk.forecast_so_far == pytest.approx(expected)
    assert early.forecast_source == scenario.name
    hours = {h: f for h, _, f in early.hours}
    assert sum(f for f in hours.values() if f is not None) == pytest.approx(
        sum(b.eligible_estimate * parsed.turnout_for(b.code) for b in election.branches.all()))
    late = control_room(election, start + dt.timedelta(days=1))  # the whole forecast day has passed
    whole_day = branch.eligible_estimate * parsed.turnout_for(branch.code)
    assert (branch.code in {b.code for b in late.queue_risk}) == (1.25 * whole_day < 60)
