"""The opening in the law's order: zero report, mock poll, second zero report, opening.

The e-box's state machine refuses any other order, the kiosk's branch head drives the same
steps (and cannot skip the mock poll), and mock votes are never counted: cleared before the
second zero report, absent from the records and the final report, their cards never valid again.
"""

from __future__ import annotations

import pytest

from entekhab.device.errors import BranchStateError
from entekhab.device.kiosk import Kiosk
from entekhab.device.kiosk.operators import BRANCH_HEAD, Operator
from entekhab.device.lifecycle import BoxState
from entekhab.records.errors import CardInvalid
from entekhab.records.messages import HEARTBEAT_STATES
from entekhab.records.report import verify_report
from tests.device.fake_hq import NOW, FakeHQ, branch_devices, voters


class HeadKiosk(Kiosk):
    """The kiosk as its branch head uses it (the login itself is tested with the kiosk's server)."""

    def call(self, path, body, operator=None):
        return super().call(path, body, operator or Operator(BRANCH_HEAD, "head"))


@pytest.fixture
def branch(tmp_path):
    hq = FakeHQ()
    return hq, branch_devices(tmp_path, hq)


def vote_for_first(box) -> dict[str, list[str]]:
    contest = box.manifest.contests[0]
    return {contest.code: [sorted(c for c, v in contest.names.items() if v["kind"] == "candidate")[0]]}


def refused(action, code: str = "opening_order") -> BranchStateError:
    with pytest.raises(BranchStateError) as caught:
        action()
    assert caught.value.code == code, caught.value
    return caught.value


def test_the_ebox_takes_the_opening_steps_only_in_order(branch):
    hq, devices = branch
    zero = devices.zero_report(now=NOW)
    box = devices.box
    assert box.state is BoxState.MANIFEST_LOADED and zero.report["ballots"] == 0
    ballot = vote_for_first(box)
    refused(lambda: box.cast(devices.mock_card(NOW), ballot), "branch_state")  # no vote before the mock poll
    refused(lambda: box.end_mock_poll(now=NOW))
    refused(lambda: box.second_zero_report(now=NOW))
    box.start_mock_poll()
    refused(box.start_mock_poll)
    leftover = devices.mock_card(NOW)
    for _ in range(3):
        devices.mock_vote(ballot, now=NOW)  # printed and read back through the card adapters
    refused(lambda: devices.open_polls())  # no opening during the mock poll
    refused(lambda: box.second_zero_report(now=NOW))
    box.cast(leftover, ballot)
    mock = devices.end_mock_poll(now=NOW)
    assert mock.report["kind"] == "mock" and mock.report["ballots"] == 4
    assert box.state is BoxState.MOCK_CLEARED and box.records() == [] and box.ballots_cast == 0
    assert devices.ebox.lifecycle_state() == "mock_poll" in HEARTBEAT_STATES  # what HQ's control room knows
    refused(lambda: box.cast(devices.mock_card(NOW), ballot), "branch_state")
    refused(lambda: devices.open_polls())  # the second zero report comes first
    refused(box.start_mock_poll)
    second = devices.second_zero_report(now=NOW)
    assert second.report["kind"] == "zero" and second.report["ballots"] == 0 and second.report["sequence"] == 2
    assert second.report["mock_poll"] == {"ballots": 4, "sha256": mock.sha256}
    assert second.report["zero_report_sha256"] == zero.sha256
    verify_report(second.document(), records=[], manifest=box.manifest)
    refused(lambda: box.second_zero_report(now=NOW))
    assert hq.sent("branch_open") == []
    assert devices.ebox.lifecycle_state() == "mock_poll"
    devices.open_polls()
    assert box.state is BoxState.OPEN and devices.ebox.lifecycle_state() == "open"
    opened = hq.sent("branch_open")
    assert len(opened) == 1 and opened[0]["zero_report"] == second.document()  # HQ opens with the second
    assert opened[0]["mock_report"] == mock.document() and opened[0]["first_zero_report"] == zero.document()

    with pytest.raises(CardInvalid) as reused:  # a card left from the mock poll never becomes a real vote
        box.cast(leftover, ballot)
    assert reused.value.code == "card_reused"
    card = devices.check_in(voters(1)[0], now=NOW).card
    devices.vote(card, ballot)
    final = devices.close(now=NOW, branch_head="head", supervisor="supervisor")
    assert final.report["ballots"] == 1 and len(box.records()) == 1  # the four mock votes are not counted
    assert final.report["contests"][0]["ballots"] == 1
    assert final.report["mock_poll"] == {"ballots": 4, "sha256": mock.sha256}
    assert final.report["zero_report_sha256"] == zero.sha256
    assert final.report["second_zero_report_sha256"] == second.sha256
    assert [b["records"] for b in hq.sent("branch_report")] == [box.records()]


def test_a_simulation_may_open_straight_after_the_zero_report_but_the_kiosk_may_not(branch, tmp_path):
    hq, devices = branch
    devices.zero_report(now=NOW)
    refused(lambda: devices.open_polls(mock_poll_required=True))
    devices.open_polls()  # the policy of simulations and replacement tests: no mock poll
    assert devices.box.state is BoxState.OPEN and hq.sent("branch_open")[0]["zero_report"]["report"]["kind"] == "zero"


def test_the_kiosk_drives_the_opening_in_order_with_its_reports_printed(branch, tmp_path):
    hq, devices = branch
    kiosk = HeadKiosk(devices, report_dir=tmp_path / "reports", clock=lambda: NOW)

    def call(path: str, expect: int = 200, code: str = "") -> dict:
        status, body = kiosk.call(path, {})
        assert status == expect, (path, body)
        if code:
            assert body["code"] == code and body["message_fa"] and body["message_fa"] != body["message"]
        return body

    assert call("/api/opening")["next"] == "zero"
    for early in ("/api/open", "/api/opening/mock/start", "/api/opening/mock/vote", "/api/opening/zero2"):
        call(early, 400, "opening_order")
    call("/api/auth/begin", 400, "branch_not_open")
    assert call("/api/opening/zero")["pdfs"] == {"zero": "/zero-report.pdf"}
    call("/api/opening/zero", 400, "opening_order")
    call("/api/open", 400, "opening_order")  # the kiosk does not skip the mock poll
    call("/api/opening/mock/vote", 400, "opening_order")
    call("/api/opening/mock/start")
    for n in (1, 2):
        voted = call("/api/opening/mock/vote")
        assert voted["mock_ballots"] == n and kiosk.card_image(voted["card_url"].rsplit("/", 1)[1])
    call("/api/auth/begin", 400, "branch_not_open")  # no voter during the mock poll
    ended = call("/api/opening/mock/end")
    assert ended["ballots"] == 2 and ended["next"] == "zero2"
    call("/api/open", 400, "opening_order")
    call("/api/opening/zero2")
    assert call("/api/open")["state"] == "open"
    assert kiosk.report_pdf("zero-report-2.pdf").startswith(b"%PDF")
    assert {k: kiosk.report_pdf(v)[:4] for k, v in (("a", "zero-report.pdf"), ("b", "mock-report.pdf"))} == {
        "a": b"%PDF", "b": b"%PDF"}
    assert kiosk.report_pdf("../auth.db") is None and kiosk.report_pdf("report.pdf") is None
    assert hq.sent("branch_open")[0]["zero_report"]["report"]["sequence"] == 2
    call("/api/opening/zero", 400, "opening_order")
    status = call("/api/status")
    assert status["state"] == "open" and status["ballots"] == 0  # the mock votes are gone
