"""Scenario and branch files: strict validation, every refusal naming its field."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from entekhab.planning.branches import BranchSet, load_branches
from entekhab.planning.scenario import (
    ReservePolicy,
    Scenario,
    default_scenarios,
    load_scenario,
)
from entekhab.planning.service import FingerprintAuthentication
from entekhab.planning.validate import PlanningInputError

FIXTURES = Path(__file__).parent.parent / "fixtures" / "planning"


@pytest.fixture
def scenario_dict() -> dict[str, Any]:
    return json.loads((FIXTURES / "scenario-45.json").read_text())


@pytest.fixture
def branch_dict() -> dict[str, Any]:
    return json.loads((FIXTURES / "branches-small.json").read_text())


def test_fixture_scenario_loads() -> None:
    s = load_scenario(FIXTURES / "scenario-45.json")
    assert s.turnout == 0.45
    assert s.profile.name == "official"
    assert isinstance(s.authentication, FingerprintAuthentication)
    assert s.reserve == ReservePolicy(Fraction(12), True)
    assert s.turnout_for("T01-0002") == 0.7 and s.turnout_for("T01-0001") == 0.45
    assert Scenario.from_dict(s.as_dict()) == s


def test_default_scenarios_are_25_45_70() -> None:
    assert [s.turnout for s in default_scenarios()] == [0.25, 0.45, 0.70]


def _set(d: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    keys = path.split(".")
    node = d
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("turnout", 1.2, "scenario.turnout"),
        ("turnout", 45, "scenario.turnout"),
        ("turnout", -0.1, "scenario.turnout"),
        ("turnout", "0.45", "scenario.turnout"),
        ("profile", {"weights": []}, "scenario.profile.weights"),
        ("profile", {"weights": [3, -1, 2]}, "scenario.profile.weights[1]"),
        ("profile", "holiday", "scenario.profile"),
        ("authentication.base_seconds", -5, "scenario.authentication.base_seconds"),
        ("authentication.success_probability", 1.5,
         "scenario.authentication.success_probability"),
        ("authentication.max_attempts", 2.5, "scenario.authentication.max_attempts"),
        ("ballot_timing.per_code_seconds", -7, "scenario.ballot_timing.per_code_seconds"),
        ("ballot_timing.kind", "weibull", "scenario.ballot_timing.kind"),
        ("target.quantile", 1.0, "scenario.target.quantile"),
        ("target.max_wait_minutes", 0, "scenario.target.max_wait_minutes"),
        ("reserve.percent", -12, "scenario.reserve.percent"),
        ("reserve.pooled", "yes", "scenario.reserve.pooled"),
        ("seed", True, "scenario.seed"),
        ("turnout_overrides", {"T01-0002": 2}, "scenario.turnout_overrides.T01-0002"),
        ("colour", "blue", "scenario.colour"),
        ("devices_ready_minutes", -5, "scenario.devices_ready_minutes"),
    ],
)
def test_bad_scenarios_name_the_field(scenario_dict: dict[str, Any], path: str, value: Any,
                                      field: str) -> None:
    with pytest.raises(PlanningInputError) as err:
        Scenario.from_dict(_set(scenario_dict, path, value))
    assert err.value.field == field
    assert err.value.message_fa.startswith(field)


def test_missing_turnout_and_non_object_are_refused(scenario_dict: dict[str, Any]) -> None:
    del scenario_dict["turnout"]
    with pytest.raises(PlanningInputError, match=r"scenario\.turnout: is required"):
        Scenario.from_dict(scenario_dict)
    with pytest.raises(PlanningInputError, match="must be an object"):
        Scenario.from_dict([1, 2])


def test_override_for_unknown_branch_is_refused(scenario_dict: dict[str, Any],
                                                branch_dict: dict[str, Any]) -> None:
    branches = BranchSet.from_dict(branch_dict)
    Scenario.from_dict(scenario_dict).check_branches(branches.codes())
    bad = _set(scenario_dict, "turnout_overrides", {"T99-0001": 0.5})
    with pytest.raises(PlanningInputError) as err:
        Scenario.from_dict(bad).check_branches(branches.codes())
    assert err.value.field == "scenario.turnout_overrides.T99-0001"
    assert "unknown branch" in str(err.value)


def test_unreadable_and_invalid_json_files(tmp_path: Path) -> None:
    with pytest.raises(PlanningInputError, match="cannot read"):
        load_scenario(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{ turnout: 0.45 }")
    with pytest.raises(PlanningInputError, match="not valid JSON"):
        load_scenario(bad)


def test_branch_file_loads() -> None:
    bs = load_branches(FIXTURES / "branches-small.json")
    assert len(bs.branches) == 6
    assert bs.eligible_voters == 1400 + 2100 + 900 + 3200 + 650 + 1200
    b = {x.code: x for x in bs.branches}
    assert b["T02-0001"].ballot.name == "tehran-list-heavy"
    assert b["REY-0001"].ballot.name == "village"
    assert BranchSet.from_dict(bs.as_dict()) == bs


@pytest.mark.parametrize(
    ("index", "key", "value", "field"),
    [
        (0, "eligible", -1, "branches[0].eligible"),
        (0, "eligible", 14.5, "branches[0].eligible"),
        (1, "ballot", "moon", "branches[1].ballot"),
        (2, "eboxes", "3", "branches[2].eboxes"),
        (3, "code", "", "branches[3].code"),
        (4, "floor", 2, "branches[4].floor"),
    ],
)
def test_bad_branch_rows_name_the_field(branch_dict: dict[str, Any], index: int, key: str,
                                        value: Any, field: str) -> None:
    branch_dict["branches"][index][key] = value
    with pytest.raises(PlanningInputError) as err:
        BranchSet.from_dict(branch_dict)
    assert err.value.field == field


def test_duplicate_branch_codes_are_refused(branch_dict: dict[str, Any]) -> None:
    branch_dict["branches"][1]["code"] = "T01-0001"
    with pytest.raises(PlanningInputError, match="duplicate branch code"):
        BranchSet.from_dict(branch_dict)
