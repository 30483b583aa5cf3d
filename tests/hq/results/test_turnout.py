"""Live turnout from check-ins, and official two-hourly figures frozen once announced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from entekhab.domain.errors import DomainError
from entekhab.hq.accounts.roles import Role
from entekhab.hq.polling.models import CheckIn
from entekhab.hq.results.models import Immutable, TurnoutAnnouncement
from entekhab.hq.results.turnout import TEHRAN, announcement_slots, do_announce_turnout, hourly, turnout


def test_turnout_rolls_up_from_branches_to_the_province(election, polling_day):
    now = turnout(election)
    assert now.total.checkins == CheckIn.objects.filter(election=election).count() == polling_day["checkins"]
    assert now.by_area["P23"].checkins == now.total.checkins
    assert sum(f.checkins for f in now.by_branch.values()) == now.total.checkins
    counties = [code for code in now.by_area if code.count("-") == 1 and "-C" in code]
    assert sum(now.by_area[c].checkins for c in counties) == now.total.checkins
    assert now.by_contest["experts-tehran"].checkins == now.total.checkins  # every branch votes for Experts


def test_hourly_figures_are_cumulative_in_tehran_hours(election, polling_day):
    rows = hourly(election)
    assert rows[-1][2] == polling_day["checkins"]
    assert all(8 <= h.hour < 18 for h, _, _ in rows)
    assert [r for _, _, r in rows] == sorted(r for _, _, r in rows)


def test_an_official_figure_is_frozen_when_announced(election, polling_day, make_user):
    executive = make_user(Role.EXECUTIVE_BOARD, "exec")
    slot = dt.datetime.combine(election.polling_date, dt.time(12), TEHRAN)
    after = slot + dt.timedelta(days=1)
    figure = do_announce_turnout(election, slot, acting_user=executive, now=after)
    expected = CheckIn.objects.filter(election=election, at__lt=slot).count()
    assert figure.checkins == expected
    CheckIn.objects.filter(election=election, at__lt=slot).update(at=slot + dt.timedelta(minutes=1))
    with pytest.raises(DomainError, match="already announced"):
        do_announce_turnout(election, slot, acting_user=executive, now=after)
    figure.refresh_from_db()
    assert figure.checkins == expected
    figure.checkins = 0
    with pytest.raises(Immutable):
        figure.save()
    with pytest.raises(Immutable):
        figure.delete()


def test_announcements_need_the_right_role_and_a_proper_time(election, make_user):
    slot = announcement_slots(election)[0]
    with pytest.raises(PermissionDenied):
        do_announce_turnout(election, slot, acting_user=make_user(Role.SUPERVISORY_BOARD))
    executive = make_user(Role.EXECUTIVE_BOARD, "exec")
    with pytest.raises(DomainError, match="every two hours"):
        do_announce_turnout(election, slot + dt.timedelta(minutes=30), acting_user=executive,
                            now=slot + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="before its time"):
        do_announce_turnout(election, slot, acting_user=executive, now=slot - dt.timedelta(hours=1))
    assert not TurnoutAnnouncement.objects.exists()
