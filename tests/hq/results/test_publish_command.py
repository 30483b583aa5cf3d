"""``entekhab publish DIR`` writes a folder that ``entekhab recount DIR`` agrees with."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.results.totals import absorb_new_reports


def test_publish_then_recount_agrees(election, polling_day, tmp_path):
    absorb_new_reports(election)
    out = tmp_path / "open"
    result = CliRunner().invoke(app, ["publish", str(out), "--election", election.code, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"] > polling_day["branches"] * 2
    recount = CliRunner().invoke(app, ["recount", str(out), "--json"])
    assert recount.exit_code == 0, recount.output
    assert json.loads(recount.output)["branches"] == polling_day["branches"]


def test_publish_refuses_a_non_empty_folder_and_an_unknown_election(election, tmp_path):
    (tmp_path / "keep").write_text("x")
    result = CliRunner().invoke(app, ["publish", str(tmp_path)])
    assert result.exit_code == 2 and "not an empty folder" in result.output
    assert (tmp_path / "keep").read_text() == "x"
    result = CliRunner().invoke(app, ["publish", str(tmp_path / "new"), "--election", "nope"])
    assert result.exit_code == 2 and "no election" in result.output
