"""The public draws in headless Chromium, logged out, at phone width: home → draws → a staff draw."""

from __future__ import annotations

import pytest

from entekhab.hq.demo.load import load_demo
from tests.seeds import reseed_after_flush


@pytest.fixture
def demo_with_draws(transactional_db):
    reseed_after_flush()
    load_demo("small", 1405)  # holds the four public draws
    from entekhab.hq.operations.models import Draw, Person

    codes = set(Person.objects.values_list("national_code", flat=True))
    return Draw.objects.get(subject="staff", stage="region"), codes


def test_an_observer_finds_a_staff_draw_and_its_rerun_recipe(live_server, page, demo_with_draws, artifacts):
    staff, codes = demo_with_draws
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    page.click("a[href='/draws/1405/']")
    page.wait_for_url(f"{live_server.url}/draws/1405/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("[data-testid=draws] tbody tr").count() == 4
    page.click(f"a[href='/draws/1405/{staff.pk}/']")
    page.wait_for_url(f"{live_server.url}/draws/1405/{staff.pk}/")
    assert page.inner_text("[data-testid=digest]") == staff.digest
    assert "rerun-draw" in page.inner_text("[data-testid=command]")
    body = page.inner_text("body")
    assert "دوباره اجرا کنید" in body and not any(c in body for c in codes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 391  # fits a phone, no sideways scroll
    page.screenshot(path=str(artifacts / "public-draw-390.png"), full_page=False)
