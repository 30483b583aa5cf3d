"""The seat table, the steps in names and the what-if switch in headless Chromium, on a desktop and a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_results import results_day  # noqa: F401  (the shared fixture: a counted polling day)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
INTERNAL_ID = re.compile(r"\b(L[0-9A-F]{8}|D[0-9A-F]{10})\b")


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], device_scale_factor=1,
                                  is_mobile=request.param == "phone")
    yield request.param, context.new_page()
    context.close()


def _fits(page, width: int) -> None:
    """Nothing is cut off: the document is no wider than the viewport."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _inside(page, selector: str, width: int) -> None:
    """Every element matched lies within the viewport's width (a card may not spill into the margin)."""
    edges = page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })")
    assert edges and all(left >= 0 and right <= width for left, right in edges), (selector, edges[:3])


def _seats(page, table: str) -> dict[str, int]:
    rows = page.locator(f"#{table} tbody tr.seat-row")
    return {r.get_attribute("data-group"): int(r.get_attribute("data-seats")) for r in rows.all()}


def test_read_the_seat_table_and_switch_methods(live_server, sized, results_day, artifacts):  # noqa: F811
    name, page = sized
    width = VIEWPORTS[name]["width"]
    election, _ = results_day
    page.goto(f"{live_server.url}/results/{election.code}/contest/council-tehran/")
    table = page.locator("#seat-table")
    expect(table).to_be_visible()
    legal = _seats(page, "seat-table")
    assert sum(legal.values()) == 21 and "independents" in legal
    expect(table.locator("tfoot .seats-total")).to_have_text("۲۱")
    first = table.locator("tbody tr.seat-row").first  # most votes first, with its elected and their votes
    expect(first.locator("th.group-name")).not_to_have_text(INTERNAL_ID)
    expect(first.locator("td.elected li").first).to_contain_text("رأی")
    assert "٫" in table.inner_text()  # remainders and shares with the Persian decimal separator
    steps = page.locator("#steps").inner_text()
    assert "سهمیه هِیر" in steps and not INTERNAL_ID.search(steps)
    assert "whatif-banner" not in page.content()
    _fits(page, width)
    _inside(page, "#seat-table tr.seat-row", width)
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"seats-table-{name}.png"), full_page=True)
    page.locator("#seats").screenshot(path=str(artifacts / f"seats-table-only-{name}.png"))

    for method, label in (("dhondt", "دُهونت"), ("droop-lr", "سهمیه دروپ")):
        page.locator(f'.method-switch a[data-method="{method}"]').click()
        expect(page).to_have_url(re.compile(rf"\?method={method}#what-if$"))
        expect(page.locator("#whatif-banner")).to_contain_text("نه نتیجه قانونی")
        expect(page.locator("#whatif-banner")).to_contain_text(label)
        expect(page.locator(f'.method-switch a[data-method="{method}"]')).to_have_attribute("aria-current", "page")
        whatif = _seats(page, "whatif-table")
        assert sum(whatif.values()) == 21 and set(whatif) == set(legal)
        assert _seats(page, "seat-table") == legal  # the legal table is still there, unchanged
        diffs = page.locator("#whatif-table td.diff").all_inner_texts()
        assert len(diffs) == len(legal)
        assert not INTERNAL_ID.search(page.locator("#whatif-table").inner_text())
        _fits(page, width)
        _inside(page, "#whatif-table tr.seat-row", width)
        page.locator("#what-if").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"seats-whatif-{method}-{name}.png"), full_page=True)
        page.locator("#what-if").screenshot(path=str(artifacts / f"seats-whatif-only-{method}-{name}.png"))

    page.locator('.method-switch a[data-method=""]').click()
    expect(page.locator("#whatif-banner")).to_have_count(0)
    expect(page.locator("#whatif-table")).to_have_count(0)

    page.goto(f"{live_server.url}/results/{election.code}/contest/council-tehran/?method=borda")
    expect(page.locator("#method-notice")).to_contain_text("borda")
    expect(page.locator("#seat-table")).to_be_visible()
    expect(page.locator("#whatif-table")).to_have_count(0)
    _fits(page, width)


def test_the_calculator_speaks_in_the_typed_names(live_server, sized, transactional_db, artifacts):
    name, page = sized
    width = VIEWPORTS[name]["width"]
    page.goto(f"{live_server.url}/candidates/how-proportional-voting-works/")
    page.fill("#id_seats", "7")  # the sample lines the form comes with hold 13 candidates
    page.locator("[data-testid=calculator] button").click()
    expect(page.locator("#calc-seat-table")).to_be_visible()
    seats = _seats(page, "calc-seat-table")
    assert sum(seats.values()) == 7
    steps = page.locator("[data-testid=calc-steps]").inner_text()
    assert "فهرست الف" in steps and not re.search(r"\b(g\d+|i\d+)\b", steps)
    _fits(page, width)
    _inside(page, "#calc-seat-table tr.seat-row", width)
    page.screenshot(path=str(artifacts / f"seats-calculator-{name}.png"), full_page=True)
