"""Drill-down and branch search in headless Chromium, at desktop width and on a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_results import results_day  # noqa: F401  (the shared fixture: a counted polling day)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], device_scale_factor=1,
                                  is_mobile=request.param == "phone")
    yield request.param, context.new_page()
    context.close()


def _fits(page, width: int) -> None:
    """Nothing is cut off: the document is no wider than the viewport (RTL overflow goes off the left edge)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _follow(page, link) -> None:
    href = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def test_drill_down_from_the_results_to_a_branch_report(live_server, sized, results_day, artifacts):  # noqa: F811
    name, page = sized
    width = VIEWPORTS[name]["width"]
    election, _ = results_day
    page.goto(f"{live_server.url}/results/{election.code}/")
    expect(page.locator("#election-progress svg.progress")).to_be_visible()
    _fits(page, width)
    _follow(page, page.locator('a[href$="/contest/council-tehran/"]').first)
    expect(page.locator("#drilldown svg.candidates-chart")).to_be_visible()
    expect(page.locator("#seats-chart svg.hemicycle circle")).to_have_count(21)
    _fits(page, width)
    page.screenshot(path=str(artifacts / f"results-drilldown-contest-{name}.png"), full_page=True)
    titles = []
    while page.locator("#sub-areas .area-link").count():  # county → city → region
        _follow(page, page.locator("#sub-areas .area-link").first)
        expect(page.locator("#level-progress")).to_be_visible()
        titles.append(page.locator("#area-title").inner_text())
        _fits(page, width)
    assert titles == ["شهرستان تهران", "تهران", "منطقه ۱ تهران"]
    expect(page.locator("#area-branches .branch-row").first).to_be_visible()
    page.screenshot(path=str(artifacts / f"results-drilldown-region-{name}.png"), full_page=True)
    row = page.locator("#area-branches .branch-row").first
    code = row.get_attribute("data-branch")
    _follow(page, row.locator("a.branch-link"))
    from entekhab.hq.results.models import CountedReport

    sha = CountedReport.objects.get(branch__code=code).sha256
    expect(page.locator("#branch-report")).to_contain_text(sha)
    qr = page.locator("#branch-report .qr-codes img").first
    qr.scroll_into_view_if_needed()
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 50
    expect(page.locator("#branch-places")).to_contain_text("منطقه ۱ تهران")
    _fits(page, width)
    page.screenshot(path=str(artifacts / f"results-drilldown-branch-{name}.png"), full_page=True)


def test_search_a_branch_by_code_and_venue(live_server, sized, results_day, artifacts):  # noqa: F811
    name, page = sized
    width = VIEWPORTS[name]["width"]
    election, report = results_day
    code = report.branch.code
    page.goto(f"{live_server.url}/results/{election.code}/")
    _follow(page, page.locator("nav a", has_text="شعبه‌ها و صورتجلسه‌ها").first)
    expect(page.locator(".branch-row").first).to_be_visible()
    _fits(page, width)
    typed = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")).lower()  # as a Persian keyboard types it
    page.fill("#q", typed)
    page.press("#q", "Enter")
    expect(page.locator(".branch-row")).to_have_count(1)
    expect(page.locator(".branch-row")).to_have_attribute("data-branch", code)
    expect(page.locator(".branch-row")).to_contain_text(report.sha256[:16])
    _fits(page, width)
    page.screenshot(path=str(artifacts / f"results-branch-search-{name}.png"), full_page=True)
    _follow(page, page.locator(".branch-row a.branch-link"))
    expect(page.locator("#branch-report")).to_contain_text(report.sha256)

    page.go_back()
    expect(page.locator("#q")).to_have_value(re.compile(".+"))
    page.fill("#q", "دبستان")
    page.press("#q", "Enter")
    expect(page.locator("#branch-count")).to_contain_text("دبستان")
    rows = page.locator(".branch-row")
    expect(rows.first).to_contain_text("دبستان")
    assert all("دبستان" in t for t in rows.all_inner_texts())
    _fits(page, width)


def test_look_up_turnout_by_area_and_switch_language(live_server, sized, results_day, artifacts):  # noqa: F811
    """Turnout from the results navigation, then one area's figure; then English, from a page the cache served."""
    name, page = sized
    width = VIEWPORTS[name]["width"]
    election, _ = results_day
    page.goto(f"{live_server.url}/results/{election.code}/")
    _follow(page, page.locator("nav a[href$='/turnout/']").first)
    expect(page.locator("h1")).to_have_text(re.compile("^مشارکت"))
    expect(page.locator("main svg").first).to_be_visible()
    _fits(page, width)
    page.screenshot(path=str(artifacts / f"results-turnout-{name}.png"), full_page=True)
    area = page.locator("main table a[href^='?area=']").first
    area_name = area.inner_text()
    _follow(page, area)
    expect(page.locator("h1")).to_contain_text(area_name)
    expect(page.locator(".cards .card b").first).to_have_text(re.compile(r"^[۰-۹٬]+$"))
    _fits(page, width)
    page.screenshot(path=str(artifacts / f"results-turnout-area-{name}.png"), full_page=True)
    # A second visitor gets the page from the cache (with the first visitor's form token in it) and
    # switches to English: the switch must still work.
    other = page.context.browser.new_context(viewport=VIEWPORTS[name])
    second = other.new_page()
    second.goto(page.url)
    second.locator("[data-testid=lang-en]").click()
    expect(second.locator("h1")).to_have_text(re.compile("^Turnout"))
    other.close()
