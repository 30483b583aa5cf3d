"""Sizing is minimal, roll-ups add up, districts are reproducible whatever the workers."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.planning.branches import BranchLoad, load_branches
from entekhab.planning.district import plan_district, simulate_district
from entekhab.planning.scenario import ReservePolicy, Scenario, WaitTarget, load_scenario
from entekhab.planning.service import TEHRAN_CITY, VILLAGE
from entekhab.planning.simulation import simulate_branch
from entekhab.planning.sizing import size_branch
from entekhab.planning.synthetic import synthetic_district

FIXTURES = Path(__file__).parent.parent / "fixtures" / "planning"


def _assert_minimal(scenario: Scenario, branch: BranchLoad) -> None:
    s = size_branch(scenario, branch)
    a, e = s.auth_needed, s.eboxes_needed
    # Re-simulated through the plain simulation path, not the sizing search's cache:
    assert simulate_branch(scenario, branch, a, e).meets_target
    if a > 1:
        assert not simulate_branch(scenario, branch, a - 1, e).meets_target
    if e > 1:
        assert not simulate_branch(scenario, branch, a, e - 1).meets_target
    assert s.minimal and s.day.meets_target
    assert s.day.quantile_wait_minutes <= scenario.target.max_wait_minutes
    assert s.quantile_wait_one_fewer_ebox > scenario.target.max_wait_minutes


@pytest.mark.parametrize("turnout", [0.25, 0.45, 0.70])
def test_sizing_is_minimal_for_default_scenarios(turnout: float) -> None:
    _assert_minimal(Scenario(f"t{turnout}", turnout),
                    BranchLoad("T01-0001", "tehran-01", "tehran", "d", 1414, TEHRAN_CITY))


@settings(max_examples=12, deadline=None)
@given(eligible=st.integers(50, 6000), turnout=st.floats(0.1, 1.0),
       minutes=st.sampled_from([10.0, 30.0]), village=st.booleans())
def test_sizing_is_minimal_for_any_branch(eligible: int, turnout: float, minutes: float,
                                          village: bool) -> None:
    scenario = Scenario("h", turnout, target=WaitTarget(0.95, minutes), replications=2)
    branch = BranchLoad("X-1", "r", "c", "d", eligible, VILLAGE if village else TEHRAN_CITY)
    _assert_minimal(scenario, branch)


def test_stricter_target_needs_at_least_as_many_eboxes() -> None:
    branch = BranchLoad("T01-0001", "tehran-01", "tehran", "d", 2000, TEHRAN_CITY)
    loose = size_branch(Scenario("a", 0.6, target=WaitTarget(0.95, 30)), branch)
    strict = size_branch(Scenario("a", 0.6, target=WaitTarget(0.95, 5)), branch)
    assert strict.eboxes_needed >= loose.eboxes_needed
    assert strict.eboxes_needed + strict.auth_needed > loose.eboxes_needed + loose.auth_needed


def test_reserve_is_exact_ceiling() -> None:
    r = ReservePolicy(Fraction(12))
    assert [r.spares(n) for n in (0, 1, 8, 9, 25, 100)] == [0, 1, 1, 2, 3, 12]


def test_district_rollups_add_up() -> None:
    scenario = load_scenario(FIXTURES / "scenario-45.json")
    branches = load_branches(FIXTURES / "branches-small.json")
    plan = plan_district(scenario, branches, workers=1)
    d = plan.district
    assert d.branches == 6 and d.eligible_voters == branches.eligible_voters
    assert d.auth.needed == sum(s.auth_needed for s in plan.branches)
    assert d.eboxes.needed == sum(s.eboxes_needed for s in plan.branches)
    assert d.eboxes.spares == math.ceil(d.eboxes.needed * Fraction(12, 100))
    assert d.auth.available == sum(b.auth_devices for b in branches.branches)
    assert d.eboxes.shortfall == max(0, d.eboxes.required - d.eboxes.available)
    assert d.eboxes.to_deliver == sum(max(0, s.eboxes_needed - s.eboxes_available)
                                      for s in plan.branches)
    for level in (plan.regions, plan.counties):
        assert sum(r.eboxes.needed for r in level) == d.eboxes.needed
        assert sum(r.branches for r in level) == d.branches
    assert [r.area_code for r in plan.counties] == ["rey", "shemiranat", "tehran"]
    tajrish = next(s for s in plan.branches if s.code == "TAJRISH-0001")
    assert tajrish.auth_available == 0 and tajrish.auth_shortfall == tajrish.auth_needed
    overridden = next(s for s in plan.branches if s.code == "T01-0002")
    assert overridden.expected_voters == pytest.approx(2100 * 0.7)
    assert plan.all_minimal


def test_unpooled_reserve_is_kept_per_branch() -> None:
    scenario = replace(load_scenario(FIXTURES / "scenario-45.json"),
                       reserve=ReservePolicy(Fraction(25), pooled=False))
    plan = plan_district(scenario, load_branches(FIXTURES / "branches-small.json"), workers=1)
    for s in plan.branches:
        assert s.ebox_spares == math.ceil(s.eboxes_needed / 4)
    assert plan.district.eboxes.spares == sum(s.ebox_spares for s in plan.branches)


def test_same_result_with_one_or_two_workers() -> None:
    scenario = Scenario("w", 0.45, replications=1)
    branches = synthetic_district(3, branches=40, eligible=56_000)
    assert plan_district(scenario, branches, workers=1) == plan_district(scenario, branches,
                                                                         workers=2)
    one = simulate_district(scenario, branches, workers=1)
    assert one == simulate_district(scenario, branches, workers=2)
    assert one.voters > 0


def test_a_branch_without_devices_serves_nobody() -> None:
    scenario = load_scenario(FIXTURES / "scenario-45.json")
    day = simulate_district(scenario, load_branches(FIXTURES / "branches-small.json"),
                            workers=1)
    tajrish = next(b for b in day.branches if b.code == "TAJRISH-0001")
    assert not tajrish.operable and not tajrish.day.meets_target
    assert math.isinf(tajrish.day.quantile_wait_minutes)


def test_synthetic_district_is_tehran_sized_and_deterministic() -> None:
    d = synthetic_district(1405)
    assert len(d.branches) == 4950 and d.eligible_voters == 7_000_000
    assert len({b.region_code for b in d.branches}) == 24
    assert {b.county_code for b in d.branches} == {"tehran", "rey", "shemiranat"}
    assert d == synthetic_district(1405)
    assert d != synthetic_district(1406)


def test_planning_imports_no_django() -> None:
    code = ("import sys, entekhab.planning.district, entekhab.planning.charts, "
            "entekhab.planning.report; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'django' "
            "or m.startswith(('entekhab.hq', 'entekhab.device'))]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
