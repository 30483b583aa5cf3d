"""``entekhab recount DIR``: exit 0 when everything agrees, 1 naming differences, 2 on unusable input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from entekhab.cli import app
from tests.publication.day import HQ_KEY, polling_day
from tests.publication.test_open_data import _resign, folder


def test_recount_of_a_genuine_folder_exits_0(tmp_path):
    out = folder(tmp_path, polling_day(31, city_branches=3, village_branches=1))
    result = CliRunner().invoke(app, ["recount", str(out), "--key", HQ_KEY.public_hex, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["agrees"] is True
    human = CliRunner().invoke(app, ["recount", str(out)])
    assert human.exit_code == 0 and "agrees" in human.output


def test_recount_names_a_difference_and_exits_1(tmp_path):
    out = folder(tmp_path, polling_day(32, city_branches=2, village_branches=0))
    results = json.loads((out / "results.json").read_text())
    council = next(c for c in results["contests"] if c["code"] == "council-city")
    council["result"]["group_seats"] = {k: 0 for k in council["result"]["group_seats"]}
    (out / "results.json").write_text(json.dumps(results))
    _resign(out)
    result = CliRunner().invoke(app, ["recount", str(out), "--json"])
    assert result.exit_code == 1
    assert "council-city.group_seats" in [d["where"] for d in json.loads(result.output)["differences"]]


def test_recount_of_unusable_input_exits_2_with_one_line(tmp_path):
    for args in (["recount", str(tmp_path / "missing")], ["recount", str(tmp_path)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2
        assert result.output.startswith("error: ") and "Traceback" not in result.output
    (tmp_path / "index.json").write_text("{not json")
    result = CliRunner().invoke(app, ["recount", str(tmp_path)])
    assert result.exit_code == 2 and "index.json" in result.output
    out = folder(tmp_path / "x", polling_day(33, city_branches=1, village_branches=0))
    result = CliRunner().invoke(app, ["recount", str(out), "--key", "00" * 32])
    assert result.exit_code == 2 and "another key" in result.output
