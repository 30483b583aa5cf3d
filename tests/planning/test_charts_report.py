"""Charts render with the Persian title when the font is present; the report is RTL Persian."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from entekhab.planning.branches import load_branches
from entekhab.planning.charts import (
    branch_day_chart,
    devices_by_area_chart,
    persian_font,
    quantile_wait_histogram,
)
from entekhab.planning.district import plan_district, simulate_district
from entekhab.planning.report import fa_int, fa_num, render_report
from entekhab.planning.scenario import load_scenario
from entekhab.planning.simulation import branch_trace

FIXTURES = Path(__file__).parent.parent / "fixtures" / "planning"


def _plan():  # type: ignore[no-untyped-def]
    scenario = load_scenario(FIXTURES / "scenario-45.json")
    branches = load_branches(FIXTURES / "branches-small.json")
    return scenario, branches, plan_district(scenario, branches, workers=1)


def test_charts_are_svg_and_png() -> None:
    scenario, branches, plan = _plan()
    b = branches.branches[0]
    trace = branch_trace(scenario, b, 1, 2)
    svg = branch_day_chart(trace, 8, 30, title_fa="صف شعبه", title_en="Branch queue")
    png = branch_day_chart(trace, 8, 30, title_fa="صف شعبه", title_en="Branch queue",
                           fmt="png")
    assert b"<svg" in svg and png.startswith(b"\x89PNG")
    assert b"<svg" in devices_by_area_chart(plan.regions)
    assert b"<svg" in quantile_wait_histogram([1.0, 12.0, float("inf"), 45.0], 30, 0.95)
    # Same input, same bytes: charts can be compared and cached.
    assert svg == branch_day_chart(trace, 8, 30, title_fa="صف شعبه", title_en="Branch queue")


def test_persian_title_needs_the_font() -> None:
    scenario, branches, _ = _plan()
    trace = branch_trace(scenario, branches.branches[0], 1, 2)
    with_fa = branch_day_chart(trace, 8, 30, title_fa="صف شعبه", title_en="T")
    without = branch_day_chart(trace, 8, 30, title_fa="صف شعبهٔ دیگری با عنوان بلند", title_en="T")
    if persian_font() is not None:  # the Persian title is drawn: changing it changes the chart
        assert with_fa != without
    else:
        assert with_fa == without


def test_report_is_persian_first() -> None:
    scenario, branches, plan = _plan()
    day = simulate_district(scenario, branches, workers=1)
    busiest = plan.branches[0]
    html = render_report(plan, inventory_day=day,
                         busiest_trace=(busiest.code, branch_trace(
                             scenario, branches.branches[0], 1, 2)),
                         generated_at=dt.datetime(2026, 5, 1, 6, 0, tzinfo=dt.UTC))
    assert html.startswith("<!doctype html><html lang=fa dir=rtl>")
    assert "۱۴۰۵/۰۲/۱۱" in html  # polling day, Jalali, Persian digits
    assert fa_int(plan.district.eboxes.required) in html
    assert html.count("<svg") == 3
    assert "Branch capacity plan" in html  # English second


def test_persian_number_formatting() -> None:
    assert fa_int(4950) == "۴٬۹۵۰"
    assert fa_num(5.166, 2) == "۵٫۱۷"
    assert fa_num(float("inf")) == "∞"


def test_chart_axes_legends_and_titles_are_persian(monkeypatch) -> None:
    """Issue 15: with the font, no English word and no Latin digit on a chart but the area codes."""
    import re

    import pytest

    from entekhab.planning import charts

    if persian_font() is None:
        pytest.skip("Vazirmatn is not installed (make assets)")
    monkeypatch.setattr(charts, "SVG_FONTTYPE", "none")  # keep <text>, so the words can be read
    scenario, branches, plan = _plan()
    trace = branch_trace(scenario, branches.branches[0], 1, 2)
    codes = {a.area_code for a in plan.regions}
    for svg in (branch_day_chart(trace, 8, 30, title_fa="صف شعبه", title_en="Branch queue"),
                devices_by_area_chart(plan.regions),
                quantile_wait_histogram([1.0, 12.5, float("inf"), 45.0], 30, 0.95)):
        texts = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b.*?</text>", svg.decode(), re.S)]
        assert texts, "no text kept in the SVG"
        shown = [t.strip() for t in texts if t.strip() and t.strip() not in codes]
        assert not [t for t in shown if re.search(r"[A-Za-z0-9]", t)], shown
        assert any(re.search(r"[\u0600-\u06ff]", t) for t in shown)
