"""Shared fixtures: a finished plan run over the small demo election (computed once per test)."""

from __future__ import annotations

import pytest

from entekhab.hq.accounts.roles import Role


@pytest.fixture
def scenario45(election):
    from entekhab.hq.capacity.models import PlanScenario

    return PlanScenario.objects.get(election=election, name="turnout-45")


@pytest.fixture
def run45(election, scenario45, make_user):
    from entekhab.hq.capacity.actions import do_run_plan

    return do_run_plan(election, scenario45, acting_user=make_user(Role.HQ_ADMIN, "planner"))
