"""Register a candidate through the Persian form in headless Chromium, vet and approve them, find them in public."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.jalali import format_jalali
from entekhab.domain.national_code import make_national_code
from entekhab.hq.accounts.actions import bootstrap_appointment
from entekhab.hq.candidates import actions
from entekhab.hq.demo.load import load_demo
from entekhab.hq.elections.actions import do_change_election_state
from entekhab.hq.elections.models import Contest, Election
from entekhab.hq.geography.models import Area
from tests.seeds import reseed_after_flush


@pytest.fixture
def open_contest(transactional_db):
    reseed_after_flush()
    load_demo("small", 1405)
    admin = User.objects.create(username="b-admin", is_staff=True)
    bootstrap_appointment(admin, "hq_admin", by="test")
    board = User.objects.create_user("b-board", password="Board-Pass-1405", is_staff=True)
    bootstrap_appointment(board, "executive_board", by="test")
    election = Election.objects.create(code="b4", name_fa="انتخابات مرورگر", name_en="Browser election",
                                       polling_date=dt.date(2026, 5, 1))
    contest = Contest.objects.create(election=election, code="pr", office="city_council", method="proportional-list",
                                     area=Area.objects.get(code="P23-D01"), name_fa="شورای شهر تهران",
                                     name_en="Tehran City Council", seats=21, alternates=11)
    today = actions.tehran_today()
    actions.do_set_candidacy(contest, {
        "registration_opens": today - dt.timedelta(days=1), "registration_closes": today + dt.timedelta(days=3),
        "review_deadline": today + dt.timedelta(days=7), "appeal_deadline": today + dt.timedelta(days=9),
        "supervision_deadline": today + dt.timedelta(days=12), "list_deadline": today + dt.timedelta(days=14),
    }, acting_user=admin)
    do_change_election_state(election, "registration", acting_user=admin, reason="registration opens")
    return contest


def test_register_approve_and_find_in_the_directory(live_server, page, open_contest, artifacts):
    code = make_national_code("008812345")
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    page.goto(f"{live_server.url}/candidates/register/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.click("text=شورای شهر تهران")
    page.fill("#id_national_code", code.translate(persian))  # typed on a Persian keyboard
    page.fill("#id_first_name", "نسترن")
    page.fill("#id_last_name", "آزمون‌پور")
    page.fill("#id_birth_date", "۱۳۶۲/۰۵/۱۴")
    page.select_option("#id_sex", "female")
    page.select_option("#id_residence_area", "P23-C01-T01-R06")
    page.select_option("#id_degree", "5")
    page.fill("#id_occupation", "مهندس شهرساز")
    page.fill("#id_certificate_number", "۱۴۰۴۹۹۸۸۷")
    page.fill("#id_certificate_date", format_jalali(actions.tehran_today() - dt.timedelta(days=20)))
    page.screenshot(path=str(artifacts / "candidates-register-form.png"), full_page=True)
    page.click("[data-testid=registration-form] button[type=submit]")
    page.wait_for_selector("[data-testid=registered]")
    tracking = page.inner_text("[data-testid=tracking]").strip()
    assert page.inner_text("[data-testid=access-key]").strip()
    page.screenshot(path=str(artifacts / "candidates-registered.png"), full_page=True)

    page.goto(f"{live_server.url}/admin/login/?next=/candidates/vetting/{tracking}/")
    page.fill("#id_username", "b-board")
    page.fill("#id_password", "Board-Pass-1405")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/candidates/vetting/{tracking}/")
    page.click("[data-testid=action-start_review]")
    page.wait_for_selector("[data-testid=inquiry-form]")
    for body in ("intelligence", "police", "judiciary", "civil_registry"):
        page.select_option("#id_body", body)
        page.select_option("#id_answer", "clear")
        page.click("[data-testid=inquiry-form] button[type=submit]")
        page.wait_for_load_state()
    page.click("[data-testid=action-approve]")
    page.wait_for_load_state()
    assert "تأیید هیئت اجرایی" in page.inner_text("[data-testid=state]")
    page.screenshot(path=str(artifacts / "candidates-vetting.png"), full_page=True)

    page.goto(f"{live_server.url}/candidates/")
    page.fill("#q", "آزمون‌پور")
    page.press("#q", "Enter")
    page.wait_for_selector("[data-testid=results]")
    page.click("text=نسترن آزمون‌پور")
    page.wait_for_selector("[data-testid=candidate-name]")
    assert page.inner_text("[data-testid=candidate-name]") == "نسترن آزمون‌پور"
    assert "تأیید هیئت اجرایی" in page.inner_text("body")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.screenshot(path=str(artifacts / "candidates-directory.png"), full_page=True)

    page.goto(f"{live_server.url}/candidates/how-proportional-voting-works/?seats=7&groups="
              "%D8%A7%D9%84%D9%81%3A+5200%2C+4100%0A%D9%85%D9%86%D9%81%D8%B1%D8%AF%3A+2600")
    assert to_persian_digits(7) in page.inner_text("[data-testid=calc-result]")
