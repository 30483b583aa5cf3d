"""Record an inspection in Persian in headless Chromium; the branch's readiness and the Education
department's deficiency list change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.demo.load import load_demo


@pytest.fixture
def inspector_user(transactional_db):
    load_demo("small", 1405)
    user = User.objects.create_user("ops-browser", password="Ops-Browser-1405", is_staff=True)
    bootstrap_appointment(user, "executive_board", by="test")
    return user


def test_record_an_inspection_in_persian(live_server, page, inspector_user, artifacts):
    from entekhab.hq.elections.models import Branch

    branch = Branch.objects.filter(election__code="1405", venue_type="school", inspections__is_latest=True,
                                   inspections__readiness="ready").order_by("code").first()
    base = f"{live_server.url}/operations/1405"
    page.goto(f"{live_server.url}/admin/login/?next=/operations/1405/deficiencies/education/")
    page.fill("#id_username", "ops-browser")
    page.fill("#id_password", "Ops-Browser-1405")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/deficiencies/education/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    listed = page.locator("[data-testid=deficiency-list] tbody tr[data-branch]")
    before = listed.count()
    assert page.locator(f"tr[data-branch='{branch.code}']").count() == 0

    page.goto(f"{base}/branches/{branch.code}/")
    assert page.inner_text("[data-testid=readiness]") == "آماده"
    page.click("[data-testid=record-inspection]")
    page.wait_for_url(f"{base}/branches/{branch.code}/inspect/")
    page.fill("#id_inspected_on", "۱۴۰۵/۰۱/۳۰")
    page.fill("#id_inspector", "زهرا کریمی")
    page.select_option("#id_rating_toilets", "temporary")
    # Forgetting the note is refused with a Persian message, and nothing is recorded.
    page.click("[data-testid=save-inspection]")
    assert "برای هر کاستی بنویسید" in page.inner_text("[data-testid=error]")
    page.select_option("#id_rating_toilets", "temporary")
    page.fill("#id_note_toilets", "دو سرویس بهداشتی خراب است")
    page.fill("#id_signal_network\\.mobile", "-۸۵")
    page.screenshot(path=str(artifacts / "operations-inspection-form.png"), full_page=True)
    page.click("[data-testid=save-inspection]")
    page.wait_for_url(f"{base}/branches/{branch.code}/")
    assert page.inner_text("[data-testid=readiness]") == "آماده مشروط"
    assert "دو سرویس بهداشتی خراب است" in page.inner_text("[data-testid=latest-items]")
    page.screenshot(path=str(artifacts / "operations-branch.png"), full_page=True)

    page.goto(f"{base}/deficiencies/education/")
    row = page.locator(f"tr[data-branch='{branch.code}']")
    assert row.count() == 1 and "دو سرویس بهداشتی خراب است" in row.inner_text()
    assert listed.count() == before + 1
    page.screenshot(path=str(artifacts / "operations-education-deficiencies.png"), full_page=True)

    page.goto(f"{base}/")
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=str(artifacts / "operations-dashboard.png"), full_page=True)
