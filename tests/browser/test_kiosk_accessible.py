"""A whole vote at the e-box with the keyboard alone, in audio mode and large print (headless Chromium).

After the operator unlocks the desk, the voter touches nothing but keys: F2 (audio), F3
(large print), the card from a wedge scanner (typed, Enter), the codes, Enter to hear each
name, Enter to the review, a key to get more time when the page asks, Enter to cast. Each
step's spoken text is the candidate's name from the signed manifest, its clip is real audio
served to the desk, and the vote the e-box stores holds exactly the codes typed.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from entekhab.device.kiosk import Kiosk
from entekhab.device.kiosk.server import running
from tests.browser.conftest import kiosk_login
from tests.device.conftest import give_pins
from tests.device.fake_hq import NOW, FakeHQ, branch_devices, voters

IDLE_MS = 4000  # the page's inactivity warning, shortened for the test (?idle=)


@pytest.fixture
def ebox(tmp_path):
    devices = branch_devices(tmp_path, FakeHQ())
    devices.open(now=NOW, mock=lambda m: [{c.code: [] for c in m.contests}])
    give_pins(devices)
    with running(Kiosk(devices, report_dir=tmp_path / "reports", clock=lambda: NOW)) as url:
        yield url, devices


def test_a_voter_votes_with_the_keyboard_alone_hearing_each_name(ebox, page, artifacts):
    url, devices = ebox
    contest = devices.box.manifest.contests[0]
    chosen = [e for e in contest.directory.values() if e.kind == "candidate"][:2]
    card = devices.check_in(voters(1)[0], now=NOW).card
    kiosk_login(page, url, "operator")  # the desk is unlocked by the operator, not the voter
    page.goto(f"{url}/ebox?idle={IDLE_MS}")
    live = page.locator("[data-testid=live]")

    keys = page.keyboard  # from here on, keys only
    keys.press("F2")
    keys.press("F3")
    expect(page.locator("body")).to_have_class("audio large")
    keys.type(card)  # a wedge scanner types the card into the focused field, then Enter
    keys.press("Enter")
    expect(page.locator(f"#codes-{contest.code}")).to_be_focused()
    expect(live).to_contain_text(contest.name_fa)
    for entry in chosen:
        keys.type(entry.code)
        keys.press("Enter")
        expect(live).to_have_text(entry.name_fa)
    clip = page.get_attribute("body", "data-clip")
    spoken = page.request.get(f"{url}{clip}")
    assert spoken.ok and spoken.headers["content-type"].startswith("audio/") and spoken.body()[:4] == b"RIFF"

    keys.press("Enter")  # an empty code after the last contest: the review
    expect(page.locator("[data-testid=confirm]")).to_be_focused()
    for entry in chosen:
        expect(live).to_contain_text(entry.name_fa)
    page.screenshot(path=str(artifacts / "kiosk-accessible-review.png"), full_page=True)

    expect(page.locator("[data-testid=idle-warning]")).to_be_visible(timeout=IDLE_MS * 4 + 5000)
    page.screenshot(path=str(artifacts / "kiosk-accessible-more-time.png"), full_page=True)
    assert devices.box.ballots_cast == 0  # waiting cancels nothing
    keys.press("Enter")  # any key gives more time, and does nothing else
    expect(page.locator("[data-testid=idle-warning]")).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-extensions", "1")
    assert devices.box.ballots_cast == 0
    expect(page.locator("[data-testid=confirm]")).to_be_focused()

    keys.press("Enter")  # cast
    expect(page.locator("[data-testid=done]")).to_be_visible()
    page.screenshot(path=str(artifacts / "kiosk-accessible-done.png"), full_page=True)
    assert devices.box.ballots_cast == 1
    records = [json.dumps(r, ensure_ascii=False) for r in devices.box.records()]
    assert len(records) == 1 and all(entry.code in records[0] for entry in chosen)
