"""The public results pages in headless Chromium: the Tehran council's seats chart and a branch report."""

from __future__ import annotations

import pytest

from entekhab.hq.demo.load import load_demo
from tests.seeds import reseed_after_flush


@pytest.fixture
def results_day(transactional_db):

    from entekhab.hq.elections.models import Election
    from entekhab.hq.polling.models import BranchReport
    from entekhab.hq.results.polling_day import store_polling_day
    from entekhab.hq.results.public import clear_cache
    from entekhab.hq.results.totals import absorb_new_reports

    clear_cache()  # the public pages cache results per process
    reseed_after_flush()  # an earlier transactional test may have emptied the migration-seeded tables
    load_demo("small", 1405)
    election = Election.objects.get(code="1405")
    store_polling_day(election, seed=1405, voters=(5, 20))
    absorb_new_reports(election)
    return election, BranchReport.objects.filter(branch__election=election, ballots__gt=0).first()


def test_public_results_show_the_council_seats_chart_and_a_branch_report(live_server, page, results_day, artifacts):
    election, report = results_day
    page.goto(f"{live_server.url}/results/{election.code}/contest/council-tehran/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    chart = page.locator("#seats-chart svg.hemicycle")
    chart.wait_for()
    assert chart.locator("circle").count() == 21
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200  # really drawn, not collapsed
    assert page.locator("#seats-chart svg.quota rect").count() >= 2
    assert "منتخب" in page.inner_text("body")
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "results-council-tehran.png"))

    page.goto(f"{live_server.url}/results/{election.code}/branch/{report.branch.code}/")
    section = page.locator("#branch-report")
    section.wait_for()
    assert report.sha256 in section.inner_text()
    qr = section.locator(".qr-codes img")
    assert qr.count() >= 1
    qr.first.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 50", arg=qr.first.element_handle())
    page.screenshot(path=str(artifacts / "results-branch-report.png"))

    texts = page.locator("details pre").text_content()
    page.goto(f"{live_server.url}/results/{election.code}/check/")
    page.fill("textarea[name=codes]", texts)
    page.click("#qr-check")
    page.locator("#qr-verdict").wait_for()
    assert "مطابق است" in page.inner_text("#qr-verdict")
