"""The results demo on the small demo election: counted, certified, published, and the recount agrees."""

from __future__ import annotations

from entekhab.hq.results.demo import LEFT_FOR_THE_SUPERVISORS, run_results_demo


def test_results_demo_publishes_and_the_recount_agrees(election, monkeypatch, tmp_path):
    monkeypatch.setattr("entekhab.hq.results.opendata.snapshots_dir", lambda e: tmp_path / e.code)
    summary = run_results_demo(election, seed=7)
    assert summary["counted"] > 0 and summary["conflicts"] == 0
    assert summary["running_totals_agree"] and summary["recount_agrees"], summary["recount"]
    assert summary["results"][LEFT_FOR_THE_SUPERVISORS] == "approved"
    assert {s for c, s in summary["results"].items() if c != LEFT_FOR_THE_SUPERVISORS} == {"published"}
