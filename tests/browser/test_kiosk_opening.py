"""The branch head opens the branch at the kiosk in headless Chromium: zero report, mock poll, second zero, open.

Then one voter's printed card (a QR picture) is scanned at the e-box as an image; the same
picture again is refused in Persian. HQ opened the branch with the second zero report.
"""

from __future__ import annotations

import datetime as dt

from entekhab.device.adapters.civil_registry import DemoCivilRegistry, sample_people
from entekhab.hq.polling.models import BranchOpening
from tests.browser.kiosk_steps import login_as_branch_head, open_branch
from tests.browser.test_polling import kiosk  # noqa: F401  (the kiosk fixture: live HQ, enrolled devices)


def test_the_branch_head_opens_in_order_and_the_ebox_reads_the_printed_card(kiosk, page, artifacts):  # noqa: F811
    url, devices, branch = kiosk
    login_as_branch_head(page, url)
    page.goto(f"{url}/opening")
    page.wait_for_selector("body[data-next=zero]")  # the page has painted the state it read
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.is_enabled("[data-testid=zero]")
    for later in ("mock-start", "mock-vote", "mock-end", "zero2", "open-polls"):
        assert page.is_disabled(f"[data-testid={later}]"), later
    for unprinted in ("zero-pdf", "mock-pdf", "zero2-pdf"):
        assert page.is_hidden(f"[data-testid={unprinted}]"), unprinted
    page.screenshot(path=str(artifacts / "kiosk-opening-start.png"), full_page=True)
    # the server refuses a skipped step as well
    out_of_order = page.request.post(f"{url}/api/open", data={}, headers={"Origin": url})
    assert out_of_order.status == 400 and out_of_order.json()["code"] == "opening_order"

    open_branch(page, url, mock_votes=2, artifacts=artifacts)
    page.screenshot(path=str(artifacts / "kiosk-opening-open.png"), full_page=True)
    for name in ("zero-report.pdf", "mock-report.pdf", "zero-report-2.pdf"):
        pdf = page.request.get(f"{url}/{name}")
        assert pdf.ok and pdf.body().startswith(b"%PDF"), name
        (artifacts / f"kiosk-{name}").write_bytes(pdf.body())
    opening = BranchOpening.objects.get(branch=branch)
    assert opening.zero_report["report"]["sequence"] == 2 and opening.zero_report["report"]["ballots"] == 0
    assert devices.box.ballots_cast == 0  # the two mock votes are gone

    # One voter: the printed card is shown at the desk and scanned as a picture at the e-box.
    page.goto(f"{url}/auth")
    page.fill("[data-testid=national-code]", sample_people(DemoCivilRegistry(), 1, dt.date(2026, 5, 1), seed=91)[0])
    page.click("[data-testid=begin]")
    page.click("[data-testid=scan]")
    page.click("[data-testid=checkin]")
    page.wait_for_function("document.querySelector('[data-testid=card-image]').naturalWidth > 0")
    page.screenshot(path=str(artifacts / "kiosk-auth-card.png"), full_page=True)
    picture = page.request.get(page.get_attribute("[data-testid=card-image]", "src").join([url, ""]))
    assert picture.ok and picture.headers["content-type"] == "image/png"
    card_file = {"name": "card.png", "mimeType": "image/png", "buffer": picture.body()}

    page.goto(f"{url}/ebox")
    page.set_input_files("[data-testid=card-file]", files=[card_file])
    page.click("[data-testid=read-card]")
    page.wait_for_selector("[data-testid=review]:visible")
    page.click("[data-testid=review]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=done]")
    assert devices.box.ballots_cast == 1

    page.goto(f"{url}/ebox")  # the same card again
    page.set_input_files("[data-testid=card-file]", files=[card_file])
    page.click("[data-testid=read-card]")
    page.wait_for_selector("#card-msg.error >> text=استفاده")
    page.screenshot(path=str(artifacts / "kiosk-ebox-card-reused.png"), full_page=True)
    assert devices.box.ballots_cast == 1
