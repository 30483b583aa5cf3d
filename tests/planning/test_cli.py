"""``entekhab plan``: results for people and machines, exit code 2 with one line on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from entekhab.commands import plan
from entekhab.planning.branches import load_branches

FIXTURES = Path(__file__).parent.parent / "fixtures" / "planning"
SCENARIO = str(FIXTURES / "scenario-45.json")
BRANCHES = str(FIXTURES / "branches-small.json")


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    plan.register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps "plan" a sub-command, as in entekhab.cli
        """Nothing."""

    return app


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["plan", *args])
    return result.exit_code, result.stdout, result.stderr


def test_queue_json_matches_erlang_c(app: typer.Typer) -> None:
    code, out, _ = run(app, "queue", "--arrivals-per-hour", "200", "--service-seconds", "120",
                       "--servers", "7", "--json")
    assert code == 0
    data = json.loads(out)
    assert round(data["mean_wait_minutes"], 2) == 5.17
    assert round(data["p_wait_exceeds"], 3) == 0.163


def test_queue_table_is_persian_first(app: typer.Typer) -> None:
    code, out, _ = run(app, "queue", "--arrivals-per-hour", "200", "--service-seconds", "120",
                       "--servers", "8")
    assert code == 0
    assert "میانگین انتظار" in out and "۰٫۸۰" in out


@pytest.mark.parametrize(
    "args",
    [
        ["queue", "--arrivals-per-hour", "200", "--service-seconds", "120", "--servers", "6"],
        ["queue", "--arrivals-per-hour", "-5", "--service-seconds", "120", "--servers", "7"],
        ["queue", "--arrivals-per-hour", "200", "--service-seconds", "120", "--servers", "0"],
        ["queue", "--arrivals-per-hour", "200", "--service-seconds", "0", "--servers", "3"],
        ["branch", "--eligible", "1000", "--turnout", "1.5"],
        ["branch", "--eligible", "-3", "--turnout", "0.4"],
        ["branch", "--eligible", "1000", "--auth-devices", "1"],
        ["branch", "--eligible", "1000", "--auth-devices", "0", "--eboxes", "2"],
        ["district", "--scenario", "nowhere.json", "--branches", BRANCHES],
        ["district", "--scenario", SCENARIO, "--branches", "nowhere.json"],
        ["district", "--scenario", SCENARIO, "--branches", BRANCHES, "--workers", "0"],
    ],
)
def test_bad_input_exits_2_with_one_line(app: typer.Typer, args: list[str]) -> None:
    code, out, err = run(app, *args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "error:" in err
    assert "Traceback" not in err


def test_wrong_type_is_a_usage_error(app: typer.Typer) -> None:
    code, _, _ = run(app, "queue", "--arrivals-per-hour", "many", "--service-seconds", "120",
                     "--servers", "7")
    assert code == 2


def test_bad_scenario_file_names_the_field(app: typer.Typer, tmp_path: Path) -> None:
    data = json.loads(Path(SCENARIO).read_text())
    data["turnout"] = 1.3
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps(data))
    code, _, err = run(app, "district", "--scenario", str(bad), "--branches", BRANCHES)
    assert code == 2 and "scenario.turnout" in err
    data["turnout"] = 0.4
    data["turnout_overrides"] = {"T77-0001": 0.5}
    bad.write_text(json.dumps(data))
    code, _, err = run(app, "district", "--scenario", str(bad), "--branches", BRANCHES)
    assert code == 2 and "unknown branch" in err and "T77-0001" in err


def test_branch_sizes_and_proves_minimality(app: typer.Typer, tmp_path: Path) -> None:
    chart = tmp_path / "day.svg"
    code, out, _ = run(app, "branch", "--eligible", "1400", "--turnout", "0.45", "--seed", "5",
                       "--json", "--chart", str(chart))
    assert code == 0
    data = json.loads(out)
    assert data["sizing"]["minimal"] is True
    assert data["day"]["meets_target"] is True
    assert len(data["erlang_by_hour"]) == 10
    assert chart.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_branch_with_given_devices(app: typer.Typer) -> None:
    code, out, _ = run(app, "branch", "--eligible", "3000", "--turnout", "0.7",
                       "--auth-devices", "1", "--eboxes", "2", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["sizing"] is None
    assert data["day"]["meets_target"] is False and data["day"]["in_line_at_close"] > 0


def test_district_json_and_report(app: typer.Typer, tmp_path: Path) -> None:
    report = tmp_path / "plan.html"
    code, out, _ = run(app, "district", "--scenario", SCENARIO, "--branches", BRANCHES,
                       "--workers", "1", "--json", "--report", str(report))
    assert code == 0
    data = json.loads(out)
    district = data["plan"]["district"]
    assert district["branches"] == 6
    assert district["eboxes"]["required"] == district["eboxes"]["needed"] + district[
        "eboxes"]["spares"]
    assert all(b["minimal"] for b in data["plan"]["branches"])
    html = report.read_text(encoding="utf-8")
    assert 'dir=rtl' in html and "<svg" in html and "برنامهٔ ظرفیت" in html
    assert "TAJRISH-0001" in html


def test_district_tables_for_people(app: typer.Typer) -> None:
    code, out, _ = run(app, "district", "--scenario", SCENARIO, "--branches", BRANCHES,
                       "--workers", "1", "--lang", "en")
    assert code == 0
    assert "counties" in out and "regions" in out and "minimality: 6/6" in out


def test_compare_scenarios_side_by_side(app: typer.Typer) -> None:
    code, out, _ = run(app, "compare", "--branches", BRANCHES, "--workers", "1", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["turnout"] for r in rows] == [0.25, 0.45, 0.7]
    assert rows[0]["eboxes_required"] <= rows[1]["eboxes_required"] <= rows[2][
        "eboxes_required"]
    code, out, _ = run(app, "compare", "--scenario", SCENARIO, "--branches", BRANCHES,
                       "--workers", "1", "--lang", "en")
    assert code == 0 and "turnout-45" in out


def test_synthetic_file_round_trips(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "branches.json"
    code, _, _ = run(app, "synthetic", "--out", str(out), "--branches", "60",
                     "--eligible", "80000")
    assert code == 0
    bs = load_branches(out)
    assert len(bs.branches) == 60 and bs.eligible_voters == 80000
