"""The polling-day control room's figures, read from the records themselves.

Every number here is a count of rows HQ holds, so the page and the database cannot disagree:

- each branch's day state, the furthest it has gone (a report beats everything; a branch whose
  devices fell silent, per the network rule of ``operations.actions.network``, is *silent* until
  it reports);
- check-ins per local hour against the planner's forecast (the latest finished plan run's
  scenario: eligible × turnout spread by its arrival profile);
- queue-risk branches, whose check-ins so far outrun their own forecast so far;
- reconciliation of every reported branch: HQ's check-ins against the report's check-ins and
  ballots.

A few queries whatever the number of branches (≈ 10 for the 6,000 branches of the Tehran demo).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import ExtractHour

from entekhab.hq.elections.models import Election
from entekhab.hq.operations.models import BranchNetwork
from entekhab.hq.operations.policy import allocation_region_code
from entekhab.hq.polling.models import BranchOpening, BranchReport, CheckIn, DeviceEnrolment, EnrolmentState
from entekhab.i18n import N_, Catalogued

TEHRAN = ZoneInfo("Asia/Tehran")
# A branch at risk of a queue: its check-ins so far exceed its forecast so far by this factor,
# counted once it has this many (a handful of early voters is not a queue).
QUEUE_RISK_FACTOR = 1.25
QUEUE_RISK_MIN_CHECKINS = 20
LISTED = 50  # rows shown in each list of branches


class DayState(StrEnum):
    """Ordered from the start of the day to its end; a branch shows the furthest it has reached."""

    NOT_OPENED = "not_opened"
    MOCK_POLL = "mock_poll"
    OPENED = "opened"
    ZERO_REPORT = "zero_report"
    VOTING = "voting"
    CLOSED = "closed"
    SILENT = "silent"
    REPORTED = "reported"


DAY_STATE_FA = Catalogued("branch day", {
    DayState.NOT_OPENED: N_("not opened"),
    DayState.MOCK_POLL: N_("mock poll"),
    DayState.OPENED: N_("devices open"),
    DayState.ZERO_REPORT: N_("zero report received"),
    DayState.VOTING: N_("voting"),
    DayState.CLOSED: N_("closed, report not yet received"),
    DayState.SILENT: N_("silent"),
    DayState.REPORTED: N_("reported"),
})
DAY_COLOURS = {DayState.NOT_OPENED: "#9aa5a1", DayState.MOCK_POLL: "#b9a3d6", DayState.OPENED: "#8fb8de",
               DayState.ZERO_REPORT: "#5a9bd4", DayState.VOTING: "#2e8b57", DayState.CLOSED: "#e0a526",
               DayState.SILENT: "#c0392b", DayState.REPORTED: "#0b5d4b"}
# The device's own word for where it is (records.messages.HEARTBEAT_STATES), furthest first.
_HEARD = (("closed", DayState.CLOSED), ("open", DayState.OPENED), ("mock_poll", DayState.MOCK_POLL))


@dataclass(frozen=True)
class BranchDay:
    branch_id: int
    code: str
    region: str
    state: DayState
    checkins: int
    forecast_so_far: float


@dataclass
class ControlRoom:
    branches: list[BranchDay]
    states: Counter = field(default_factory=Counter)
    regions: dict[str, Counter] = field(default_factory=dict)
    hours: list[tuple[int, int, float | None]] = field(default_factory=list)  # local hour, check-ins, forecast
    forecast_source: str = ""
    queue_risk: list[BranchDay] = field(default_factory=list)
    reconciliation: list[dict] = field(default_factory=list)  # reported branches that do not reconcile
    reconciled: int = 0
    checkins: int = 0


def day_state(*, reported: bool, silent: bool, heard: set[str], opened: bool, checkins: int) -> DayState:
    """The furthest state a branch has reached (the order of :class:`DayState`)."""
    if reported:
        return DayState.REPORTED
    if silent:
        return DayState.SILENT
    if "closed" in heard:
        return DayState.CLOSED
    if checkins:
        return DayState.VOTING  # a check-in is proof of opening, even if the zero report is still queued
    if opened:
        return DayState.ZERO_REPORT
    for word, state in _HEARD:
        if word in heard:
            return state
    return DayState.NOT_OPENED


def _forecast(election: Election):
    """The latest finished plan run's scenario, or None: the planner's forecast of the day."""
    from entekhab.hq.capacity.models import PlanRun
    from entekhab.planning.scenario import Scenario
    from entekhab.planning.validate import PlanningInputError

    run = PlanRun.objects.filter(election=election, state="done").order_by("-finished_at", "-id").first()
    if run is None:
        return None, ""
    try:
        return Scenario.from_dict(run.scenario_definition), run.scenario_name
    except PlanningInputError:
        return None, ""


def _so_far(shares: tuple[float, ...], opening: dt.datetime, now: dt.datetime) -> float:
    """The share of the day's voters the profile expects by ``now`` (the current hour pro rata)."""
    elapsed = (now - opening).total_seconds() / 3600
    if elapsed <= 0:
        return 0.0
    whole = min(len(shares), int(elapsed))
    part = shares[whole] * (elapsed - whole) if whole < len(shares) else 0.0
    return sum(shares[:whole]) + part


def control_room(election: Election, now: dt.datetime) -> ControlRoom:
    rows = list(election.branches.values_list("id", "code", "area__path", "eligible_estimate").order_by("code"))
    reported = set(BranchReport.objects.filter(branch__election=election).values_list("branch_id", flat=True))
    opened = set(BranchOpening.objects.filter(branch__election=election).values_list("branch_id", flat=True))
    silent = set(BranchNetwork.objects.filter(branch__election=election, status="offline")
                 .values_list("branch_id", flat=True))
    heard: dict[int, set[str]] = {}
    for bid, beat in (DeviceEnrolment.objects.filter(election=election, state=EnrolmentState.ACTIVE)
                      .values_list("branch_id", "heartbeat")):
        if isinstance(beat, dict) and isinstance(beat.get("state"), str):
            heard.setdefault(bid, set()).add(beat["state"])
    counts = dict(CheckIn.objects.filter(election=election).values_list("branch_id").annotate(n=Count("id"))
                  .order_by())
    scenario, source = _forecast(election)
    so_far = 0.0
    if scenario is not None:
        opening = dt.datetime.combine(election.polling_date, dt.time(scenario.profile.opening_hour), TEHRAN)
        so_far = _so_far(scenario.profile.shares(), opening, now)

    room = ControlRoom(branches=[], forecast_source=source)
    for bid, code, path, eligible in rows:
        n = counts.get(bid, 0)
        expected = eligible * scenario.turnout_for(code) * so_far if scenario else 0.0
        day = BranchDay(bid, code, allocation_region_code(path),
                        day_state(reported=bid in reported, silent=bid in silent, heard=heard.get(bid, set()),
                                  opened=bid in opened, checkins=n), n, expected)
        room.branches.append(day)
        room.states[day.state] += 1
        room.regions.setdefault(day.region, Counter())[day.state] += 1
    room.checkins = sum(counts.values())
    room.queue_risk = sorted(
        (b for b in room.branches if scenario is not None and b.state == DayState.VOTING
         and b.checkins >= QUEUE_RISK_MIN_CHECKINS
         and b.checkins > QUEUE_RISK_FACTOR * b.forecast_so_far),
        key=lambda b: (-(b.checkins / b.forecast_so_far if b.forecast_so_far else float("inf")), b.code))
    room.hours = _hours(election, scenario, rows)
    room.reconciliation, room.reconciled = _reconcile(election, counts)
    return room


def _hours(election: Election, scenario, rows) -> list[tuple[int, int, float | None]]:
    actual = dict(CheckIn.objects.filter(election=election).annotate(h=ExtractHour("at", tzinfo=TEHRAN))
                  .values_list("h").annotate(n=Count("id")).order_by())
    forecast: dict[int, float] = {}
    if scenario is not None:
        expected = sum(e * scenario.turnout_for(code) for _, code, _, e in rows)
        for k, rate in enumerate(scenario.profile.hourly_rates(expected)):
            forecast[scenario.profile.opening_hour + k] = rate
    hours = sorted(set(actual) | set(forecast))
    return [(h, actual.get(h, 0), forecast.get(h)) for h in hours]


def _reconcile(election: Election, counts: dict[int, int]) -> tuple[list[dict], int]:
    """Reported branches whose HQ check-ins, reported check-ins and ballots do not all agree."""
    off, fine = [], 0
    for bid, code, ballots, reported_checkins in (BranchReport.objects.filter(branch__election=election)
                                                  .values_list("branch_id", "branch__code", "ballots", "checkins")
                                                  .order_by("branch__code")):
        hq = counts.get(bid, 0)
        if ballots <= hq and reported_checkins == hq:
            fine += 1
        else:
            off.append({"branch": code, "hq_checkins": hq, "reported_checkins": reported_checkins,
                        "ballots": ballots, "excess": max(0, ballots - hq)})
    return off, fine
