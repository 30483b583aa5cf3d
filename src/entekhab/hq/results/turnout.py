"""Live turnout from check-ins: by branch, area and contest area, every hour and now; official figures.

A check-in is the only turnout fact HQ holds (one per voter, a database constraint);
the eligible-voter estimate per branch gives the percentage. Hours are Tehran hours.
Official two-hourly figures are frozen as ``TurnoutAnnouncement`` rows when announced,
with the SHA-256 of their content, so a later figure cannot silently replace them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.accounts.guard import authorize
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch, Contest, Election
from entekhab.hq.polling.models import CheckIn
from entekhab.hq.results.models import TurnoutAnnouncement
from entekhab.hq.results.totals import contest_branches, path_codes
from entekhab.records.canonical import canonical_json, sha256_hex

# Official turnout figures are given on polling day and after it.
TURNOUT_STATES = frozenset(set(ElectionState) - {ElectionState.DRAFT, ElectionState.REGISTRATION,
                                                 ElectionState.VETTING, ElectionState.LISTS_FINAL,
                                                 ElectionState.READY})

TEHRAN = ZoneInfo("Asia/Tehran")
ANNOUNCEMENT_HOURS = (10, 12, 14, 16, 18, 20, 22, 0)  # every two hours from 10:00, midnight last


@dataclass(frozen=True)
class Figure:
    checkins: int
    eligible: int

    @property
    def percent(self) -> str:
        if self.eligible <= 0:
            return "0.0"
        tenths = (self.checkins * 2000 + self.eligible) // (2 * self.eligible)
        return f"{tenths // 10}.{tenths % 10}"

    def as_json(self) -> dict[str, Any]:
        return {"checkins": self.checkins, "eligible": self.eligible, "percent": self.percent}


@dataclass(frozen=True)
class Turnout:
    """Turnout until ``until`` (now when None): totals by area, branch and contest."""

    until: dt.datetime | None
    total: Figure
    by_area: dict[str, Figure]
    by_branch: dict[str, Figure]
    by_contest: dict[str, Figure]

    def as_json(self) -> dict[str, Any]:
        return {"until": self.until.isoformat() if self.until else None, "total": self.total.as_json(),
                "by_area": {k: v.as_json() for k, v in sorted(self.by_area.items())},
                "by_contest": {k: v.as_json() for k, v in sorted(self.by_contest.items())}}


def turnout(election: Election, *, until: dt.datetime | None = None) -> Turnout:
    checkins = CheckIn.objects.filter(election=election)
    if until is not None:
        checkins = checkins.filter(at__lt=until)
    per_branch = dict(checkins.values("branch_id").annotate(n=Count("id")).values_list("branch_id", "n"))
    branches = list(Branch.objects.filter(election=election).values_list("id", "code", "area__path",
                                                                         "eligible_estimate"))
    by_area: dict[str, list[int]] = {}
    by_branch: dict[str, Figure] = {}
    for bid, code, path, eligible in branches:
        n = per_branch.get(bid, 0)
        by_branch[code] = Figure(n, eligible)
        for area in path_codes(path):
            acc = by_area.setdefault(area, [0, 0])
            acc[0] += n
            acc[1] += eligible
    eligible_of = {bid: e for bid, _, _, e in branches}
    codes = dict(Contest.objects.filter(election=election).values_list("id", "code"))
    by_contest = {}
    for cid, members in contest_branches(election).items():
        by_contest[codes[cid]] = Figure(sum(per_branch.get(b, 0) for b in members),
                                        sum(eligible_of[b] for b in members))
    total = Figure(sum(per_branch.values()), sum(eligible_of.values()))
    return Turnout(until, total, {k: Figure(*v) for k, v in by_area.items()}, by_branch, by_contest)


def hourly(election: Election, *, area_path: str | None = None, contest: Contest | None = None
           ) -> list[tuple[dt.datetime, int, int]]:
    """(Tehran hour, check-ins in that hour, cumulative) for the whole election or one area or contest."""
    qs = CheckIn.objects.filter(election=election)
    if area_path:
        qs = qs.filter(branch__area__path__startswith=area_path)
    if contest is not None:
        qs = qs.filter(branch__ballot_style__contests=contest)
    rows = (qs.annotate(hour=TruncHour("at", tzinfo=TEHRAN)).values("hour").annotate(n=Count("id"))
            .order_by("hour").values_list("hour", "n"))
    out, running = [], 0
    for hour, n in rows:
        running += n
        out.append((hour.astimezone(TEHRAN), n, running))
    return out


def announcement_slots(election: Election) -> list[dt.datetime]:
    """The official figure times of polling day (aware, Tehran): 10:00, 12:00 … 24:00."""
    day = election.polling_date
    out = []
    for h in ANNOUNCEMENT_HOURS:
        moment = dt.datetime.combine(day + dt.timedelta(days=1 if h == 0 else 0), dt.time(h), TEHRAN)
        out.append(moment)
    return out


def do_announce_turnout(election: Election, slot: dt.datetime, *, acting_user: Any,
                        now: dt.datetime | None = None) -> TurnoutAnnouncement:
    """Freeze the official figure as of ``slot`` (a two-hourly time already past)."""
    authorize(acting_user, "results.add_turnoutannouncement", election, states=TURNOUT_STATES,
              what="announcing turnout")
    now = now or timezone.now()
    if slot not in announcement_slots(election):
        raise DomainError("official figures are given every two hours from 10:00", code="bad_slot")
    if slot > now:
        raise DomainError("a figure cannot be announced before its time", code="slot_in_future")
    figures = turnout(election, until=slot)
    content = {"election": election.code, "slot": slot.isoformat(), **figures.as_json()}
    try:
        with transaction.atomic():
            row = TurnoutAnnouncement.objects.create(
                election=election, slot=slot, checkins=figures.total.checkins,
                eligible_estimate=figures.total.eligible, figures=content,
                sha256=sha256_hex(canonical_json(content)), announced_by=acting_user, announced_at=now)
            record(actor=acting_user, action=Event.RESULTS_TURNOUT_ANNOUNCE, target=row,
                   after={"slot": slot.isoformat(), "checkins": row.checkins, "sha256": row.sha256})
    except IntegrityError as exc:
        raise DomainError(
            "the figure for this time was already announced and cannot change", code="already_announced"
        ) from exc
    return row
