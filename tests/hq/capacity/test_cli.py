"""``entekhab plan district --election 1405`` reads the branches from the HQ database."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.capacity.loads import election_loads
from entekhab.planning.district import plan_district
from entekhab.planning.export import jsonable
from entekhab.planning.scenario import default_scenarios


def test_plan_district_from_the_database(election):
    result = CliRunner().invoke(app, ["plan", "district", "--election", "1405", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pure = plan_district(default_scenarios()[1], election_loads(election).branches, workers=1)
    assert data["plan"]["district"] == jsonable(pure.district)
    assert len(data["plan"]["branches"]) == election.branches.count()


def test_saved_scenario_and_persian_table(election):
    result = CliRunner().invoke(app, ["plan", "district", "--election", "1405", "--scenario", "turnout-70",
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "کل حوزه" in result.stdout and "P23" in result.stdout


def test_bad_input_is_one_line_and_exit_2(election):
    for args, words in (
        (["--election", "1406"], "1406"),
        (["--election", "1405", "--scenario", "turnout-99"], "turnout-99"),
        (["--election", "1405", "--branches", "x.json"], "--branches"),
    ):
        result = CliRunner().invoke(app, ["plan", "district", *args, "--workers", "1"])
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output
