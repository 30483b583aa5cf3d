"""The branch kiosk in headless Chromium: check in, vote by typing codes, refuse an invalid code, close, PDF."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from entekhab.device.adapters.civil_registry import DemoCivilRegistry, sample_people
from entekhab.device.adapters.fingerprint import DemoFingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.branch import BranchDevices
from entekhab.device.kiosk import Kiosk
from entekhab.device.kiosk.server import running
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.demo.load import load_demo
from entekhab.hq.demo.people import advance_to, demo_user
from entekhab.hq.elections.models import Election
from entekhab.hq.polling.actions import do_create_enrolment
from entekhab.hq.polling.models import BranchReport, CheckIn
from tests.browser.conftest import kiosk_login
from tests.browser.kiosk_steps import open_branch


@pytest.fixture
def kiosk(transactional_db, live_server, tmp_path):
    from tests.device.conftest import ensure_council_sizes, give_pins

    ensure_council_sizes()  # an earlier test's flush may have emptied the migration-seeded table
    load_demo("small", 1405)
    admin = demo_user("demo")
    advance_to(Election.objects.get(code="1405"), ElectionState.POLLING, reason="test: polling day")
    branch = Election.objects.get(code="1405").branches.order_by("number").first()
    agents = {}
    for role in ("auth", "ebox"):
        _, code = do_create_enrolment(branch, serial=f"KIOSK-{role}", role=role, acting_user=admin)
        agents[role] = DeviceAgent.initialise(tmp_path / f"{role}.db", serial=f"KIOSK-{role}", role=role,
                                              hq_url=live_server.url)
        agents[role].enrol(code)
    devices = BranchDevices(agents["auth"], agents["ebox"], registry=DemoCivilRegistry(),
                            reader=DemoFingerprintReader(typical_match=1.0, hard_share=0.0))
    give_pins(devices)  # the demo PINs, as `entekhab device enrol --demo-pins` sets them
    with running(Kiosk(devices, report_dir=tmp_path)) as url:
        yield url, devices, branch


def check_in(page, url, code):
    page.goto(f"{url}/auth")
    page.fill("[data-testid=national-code]", code)
    page.click("[data-testid=begin]")
    page.click("[data-testid=scan]")
    page.wait_for_selector("#scan-msg.ok")
    # A matched first scan must not read "attempts left: 0" (the count is hidden, and was 0 before the fix).
    assert "باقی‌مانده: ۰" not in page.inner_text("#step-finger")
    page.click("[data-testid=checkin]")
    page.wait_for_selector("[data-testid=card]:not(:empty)")
    return page.inner_text("[data-testid=card]").strip()


def test_check_in_vote_by_codes_refuse_invalid_close_and_open_the_pdf(kiosk, page, artifacts):
    url, devices, branch = kiosk
    page.goto(url)
    assert page.locator("html").get_attribute("dir") == "rtl"
    expect(page.locator("[data-testid=operator]")).to_have_text("کسی وارد نشده است")
    kiosk_login(page, url, "branch_head")  # the opening is the branch head's
    expect(page.locator("[data-testid=operator]")).to_contain_text("رئیس شعبه — مریم احمدی")
    page.click("[data-testid=open]")  # to the opening page: zero report, mock poll, second zero report, open
    open_branch(page, url, mock_votes=1)
    zero = page.request.get(f"{url}/zero-report.pdf")
    assert zero.ok and zero.body().startswith(b"%PDF")
    manifest = devices.box.manifest
    pr = next(c for c in manifest.contests if any(v["kind"] == "list" for v in c.names.values()))
    list_code = next(code for code, v in sorted(pr.names.items()) if v["kind"] == "list")
    singles = [code for code, v in sorted(pr.names.items()) if v["kind"] == "candidate"][:3]
    voters = sample_people(DemoCivilRegistry(), 3, dt.date(2026, 5, 1), seed=77)

    # The desk operator checks voters in and runs the e-box.
    kiosk_login(page, url, "operator")
    expect(page.locator("[data-testid=operator]")).to_contain_text("متصدی")

    # Voter 1: one list code.
    card = check_in(page, url, voters[0])
    page.screenshot(path=str(artifacts / "kiosk-auth.png"), full_page=True)
    page.goto(f"{url}/ebox")
    page.fill("[data-testid=card-input]", card)
    page.click("[data-testid=read-card]")
    page.type(f"#codes-{pr.code}", list_code)
    page.wait_for_selector(f"#names-{pr.code} >> text=فهرست")
    page.screenshot(path=str(artifacts / "kiosk-ebox-list.png"), full_page=True)
    page.click("[data-testid=review]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=done]")

    # Voter 2: individual candidate codes, typed in Persian digits.
    card = check_in(page, url, voters[1])
    page.goto(f"{url}/ebox")
    page.fill("[data-testid=card-input]", card)
    page.click("[data-testid=read-card]")
    persian = " ".join(c.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) for c in singles)
    page.type(f"#codes-{pr.code}", persian)
    page.wait_for_function(f"document.querySelectorAll('#names-{pr.code} div').length === {len(singles)}")
    page.wait_for_function(f"document.querySelector('[data-testid=photo-{singles[0]}]')?.naturalWidth > 0")
    page.screenshot(path=str(artifacts / "kiosk-ebox-photos.png"), full_page=True)  # photo next to each name
    page.click("[data-testid=review]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=done]")

    # Voter 3: an unknown code is refused with a Persian message, review stays disabled; the card is not used.
    card = check_in(page, url, voters[2])
    page.goto(f"{url}/ebox")
    page.fill("[data-testid=card-input]", card)
    page.click("[data-testid=read-card]")
    page.type(f"#codes-{pr.code}", "99999")
    page.wait_for_selector(f"#msg-{pr.code}.error >> text=مطابقت ندارد")
    assert page.is_disabled("[data-testid=review]")
    page.screenshot(path=str(artifacts / "kiosk-ebox-invalid.png"), full_page=True)
    # Typed markup is shown as text, never becomes markup on the voter's screen.
    page.fill(f"#codes-{pr.code}", "")
    page.type(f"#codes-{pr.code}", "<b>x</b>")
    # Wait for the final rendering (all seven characters), not the first `.unknown` row after "<".
    expect(page.locator(f"#names-{pr.code}")).to_contain_text("<b>x</b>")
    assert page.locator(f"#names-{pr.code} b").count() == 0
    assert devices.box.ballots_cast == 2

    page.goto(f"{url}/close")  # the operator may not close: a Persian refusal, and the box stays open
    page.fill("[data-testid=supervisor]", "علی کریمی")
    page.click("[data-testid=close]")
    page.wait_for_selector("#msg.error >> text=فقط با رئیس شعبه")
    assert devices.box.state.value != "closed"
    kiosk_login(page, url, "branch_head")
    page.goto(f"{url}/close")
    page.fill("[data-testid=supervisor]", "علی کریمی")
    page.click("[data-testid=close]")
    page.wait_for_selector("[data-testid=pdf]:visible")
    response = page.request.get(f"{url}/report.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    (artifacts / "kiosk-report.pdf").write_bytes(response.body())
    report = BranchReport.objects.get(branch=branch)
    assert report.ballots == 2 and CheckIn.objects.filter(branch=branch).count() == 3
    assert "مریم احمدی" in json.dumps(report.document, ensure_ascii=False)  # the head's name from the login


def test_the_kiosk_pages_say_when_the_session_timed_out_and_ask_for_the_pin_again(page, tmp_path):
    from entekhab.device.kiosk.operators import IDLE_TIMEOUT_S, OperatorDesk
    from tests.device.conftest import bare_devices, give_pins

    now = [1_000_000.0]
    devices = bare_devices(tmp_path)
    give_pins(devices)
    desk = OperatorDesk([devices.auth.journal], clock=lambda: now[0])
    with running(Kiosk(devices, report_dir=tmp_path, operators=desk)) as url:
        kiosk_login(page, url, "operator")
        page.goto(f"{url}/auth")
        expect(page.locator("[data-testid=operator]")).to_contain_text("متصدی")
        now[0] += IDLE_TIMEOUT_S + 1
        page.fill("[data-testid=national-code]", "0012345678")
        page.click("[data-testid=begin]")
        expect(page.locator("[data-testid=login-msg]")).to_contain_text("نشست شما به دلیل عدم استفاده به پایان رسید")
        expect(page.locator("[data-testid=login-form]")).to_be_visible()
        expect(page.locator("[data-testid=operator]")).to_have_text("کسی وارد نشده است")
        page.select_option("[data-testid=login-role]", "operator")
        page.fill("[data-testid=login-pin]", "0000")
        page.click("[data-testid=login]")
        expect(page.locator("[data-testid=login-msg]")).to_contain_text("رمز نادرست است")
