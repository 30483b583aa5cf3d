"""Headless Chromium runs a capacity plan from the HQ page and sees its charts (screenshots in artifacts/)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.demo.load import load_demo


@pytest.fixture
def planner(transactional_db):
    # An earlier transactional test's flush empties the council size table, which only a data
    # migration fills; refill it (the seed skips a filled table) so this test runs in any order.
    from importlib import import_module

    from django.apps import apps

    import_module("entekhab.hq.elections.migrations.0002_council_sizes").seed(apps, None)
    load_demo("small", 1405)
    user = User.objects.create_user("capacity-browser", password="Browser-Pass-1405", is_staff=True)
    bootstrap_appointment(user, "executive_board", by="test")
    return user


def _chart_size(page, testid: str) -> tuple[float, float]:
    box = page.locator(f"[data-testid={testid}] svg").first.bounding_box()
    assert box is not None, testid
    return box["width"], box["height"]


def test_run_a_plan_and_see_the_charts(live_server, page, planner, artifacts):
    page.goto(f"{live_server.url}/admin/login/?next=/capacity/1405/")
    page.fill("#id_username", "capacity-browser")
    page.fill("#id_password", "Browser-Pass-1405")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/capacity/1405/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "turnout-45" in page.inner_text("[data-testid=scenarios]")
    page.screenshot(path=str(artifacts / "capacity-overview.png"), full_page=True)

    page.select_option("[data-testid=run-form] select[name=scenario]", label="turnout-45")
    page.click("[data-testid=run-form] button[type=submit]")
    page.wait_for_url("**/capacity/1405/runs/*/")
    body = page.inner_text("body")
    assert "دستگاه‌های لازم و موجود به تفکیک منطقه" in body and "کسری به تفکیک منطقه" in body
    for chart in ("chart-devices", "chart-waits"):
        width, height = _chart_size(page, chart)
        assert width > 300 and height > 150, (chart, width, height)
    assert page.locator("[data-testid=regions] tbody tr").count() >= 20
    assert page.inner_text("[data-testid=ebox-shortfall]").strip() != ""
    page.screenshot(path=str(artifacts / "capacity-plan.png"), full_page=True)

    page.locator("[data-testid=branches] tbody tr a").first.click()
    page.wait_for_url("**/branches/*/")
    width, height = _chart_size(page, "chart-day-planned")
    assert width > 300 and height > 200
    assert page.locator("[data-testid=hours] tbody tr").count() == 10  # the official hours, 08-18
    page.screenshot(path=str(artifacts / "capacity-branch.png"), full_page=True)

    response = page.request.get(page.url.split("/branches/")[0] + "/plan.pdf")
    assert response.ok and response.body().startswith(b"%PDF-")
