from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.demo.load import load_demo


@pytest.fixture
def demo_admin(transactional_db):
    load_demo("small", 1405)
    user = User.objects.create_user("demo-browser", password="Browser-Pass-1405", is_staff=True)
    bootstrap_appointment(user, "hq_admin", by="test")
    return user


def test_login_to_the_back_office_in_persian(live_server, page, demo_admin, artifacts):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("#id_username", "demo-browser")
    page.fill("#id_password", "Browser-Pass-1405")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    html = page.locator("html")
    assert html.get_attribute("lang") == "fa" and html.get_attribute("dir") == "rtl"
    assert "ستاد انتخابات" in page.title()
    body = page.inner_text("body")
    assert "شعب اخذ رأی" in body and "رقابت‌ها" in body
    # The shipped Persian font really loads and the page lays out right to left.
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px \"Vazirmatn FD\"'))")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.screenshot(path=str(artifacts / "backoffice-home.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/elections/branch/")
    assert "شعبه" in page.inner_text("#content")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Polling branches" in page.inner_text("body") or "polling branch" in page.inner_text("body")
