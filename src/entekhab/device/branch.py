"""One branch's two devices working together: opening, check-in, voting, closing, sending the report.

The kiosk and the polling-day simulation both drive a branch through this class; each
device keeps its own journal and key, and every exchange with HQ is a signed message.
The opening is four steps in the law's order (``zero_report``, ``start_mock_poll`` /
``mock_vote`` / ``end_mock_poll``, ``second_zero_report``, ``open_polls``); ``open`` runs
them all for simulations. Ballot cards leave the authentication device through a
:class:`~entekhab.device.adapters.cards.CardWriter` and enter the e-box through a
:class:`~entekhab.device.adapters.cards.CardReader`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from entekhab.device.adapters.cards import CardReader, CardWriter, IssuedCard, QrCardPrinter, QrCardReader
from entekhab.device.adapters.civil_registry import CivilRegistry
from entekhab.device.adapters.fingerprint import FingerprintReader
from entekhab.device.agent import DeviceAgent
from entekhab.device.authentication import Authenticator, CheckInOutcome
from entekhab.device.ballot_box import BallotBox
from entekhab.device.errors import BranchStateError, DeviceError
from entekhab.device.lifecycle import BoxState
from entekhab.device.photos import PhotoFetch, PhotoStore, fetch_photos
from entekhab.records.election import ElectionDefinition
from entekhab.records.manifest import BallotManifest
from entekhab.records.report import SignedReport
from entekhab.records.signing import parse_public_key


def fetch_branch_info(agent: DeviceAgent) -> dict[str, Any]:
    """Ask HQ for the branch's manifest and device keys; keep them in the journal settings."""
    answer = agent.send("branch_info", {}, queue_if_offline=False).answer or {}
    manifest = answer["manifest"]
    if manifest.get("public_key") != agent.setting("hq_public_key"):
        raise DeviceError(
            "the manifest is not signed with the HQ key this device was enrolled with", code="manifest_signature"
        )
    definition = ElectionDefinition.parse(answer.get("election_definition"))
    fingerprint = answer.get("election_fingerprint")
    if definition.fingerprint != fingerprint or manifest.get("sha256") not in definition.manifests:
        raise DeviceError(
            "HQ's election definition does not match its fingerprint or the branch's manifest", code="election_mismatch"
        )
    auth = [d for d in answer["devices"].values() if d["role"] == "auth"]
    with agent.journal.transaction():  # all of the branch's facts or none (never a fingerprint without its keys)
        agent.journal.put("election_fingerprint", definition.fingerprint)
        agent.journal.put("style", answer["style"])
        agent.journal.put("polling_day", answer["polling_day"])
        agent.journal.put("branch_devices", json.dumps(answer["devices"]))
        agent.journal.put("hq_manifest", json.dumps(manifest, ensure_ascii=False))
        if auth:
            agent.journal.put("auth_public_key", auth[-1]["public_key"])
    return answer


def ballot_box(agent: DeviceAgent) -> BallotBox:
    if agent.role != "ebox":
        raise DeviceError("this device is not an e-box", code="wrong_role")
    return BallotBox(agent.journal, agent.key, serial=agent.serial, election=agent.setting("election"),
                     branch=agent.setting("branch"), auth_public=parse_public_key(agent.setting("auth_public_key")),
                     hq_public=parse_public_key(agent.setting("hq_public_key")))


class BranchDevices:
    def __init__(self, auth: DeviceAgent, ebox: DeviceAgent, *, registry: CivilRegistry,
                 reader: FingerprintReader, card_writer: CardWriter | None = None,
                 card_reader: CardReader | None = None, mock_poll_required: bool = False) -> None:
        self.auth, self.ebox = auth, ebox
        self.registry, self.reader = registry, reader
        # The demo printer spools to the authentication device's folder; the demo reader takes QR images or text.
        self.card_writer: CardWriter = card_writer or QrCardPrinter(auth.journal.path.parent / "cards")
        self.card_reader: CardReader = card_reader or QrCardReader()
        self.mock_poll_required = mock_poll_required  # the kiosk sets it: no opening without the mock poll
        self._box: BallotBox | None = None
        self.photos = PhotoStore(ebox.journal.path.parent / "photos")
        self.photo_fetch: PhotoFetch | None = None

    @property
    def box(self) -> BallotBox:
        if self._box is None:
            self._box = ballot_box(self.ebox)
        return self._box

    @property
    def authenticator(self) -> Authenticator:
        day = dt.date.fromisoformat(self.auth.setting("polling_day"))
        authenticator = Authenticator(self.auth, registry=self.registry, reader=self.reader, polling_day=day)
        if not authenticator.closed and self.ebox.journal.get("box_state") == BoxState.CLOSED.value:
            authenticator.close(source="ebox")  # e.g. a restart between the e-box's close and the desk's
        return authenticator

    def open(self, *, now: dt.datetime,
             mock: Callable[[BallotManifest], Sequence[dict[str, list[str]]]] | None = None) -> SignedReport:
        """Every opening step at once (simulations): zero report, mock poll, second zero report, opening.

        ``mock`` makes the mock-poll ballots from the loaded manifest; they are counted,
        reported and cleared, and a second zero report printed, before the polls open.
        Returns the first zero report.
        """
        zero = self.zero_report(now=now)
        if mock is not None:
            self.start_mock_poll()
            for ballot in mock(self.box.manifest):
                self.box.cast(self.mock_card(now), ballot)
            self.end_mock_poll(now=now)
            self.second_zero_report(now=now)
        self.open_polls()
        return zero

    # -- the opening, step by step (the kiosk's branch head) ------------------------------------
    def zero_report(self, *, now: dt.datetime) -> SignedReport:
        """Step 1: fetch the branch's manifest from HQ, load it and sign the first zero report."""
        fetch_branch_info(self.auth)
        fetch_branch_info(self.ebox)
        self._box = None
        zero = self.box.load_manifest(json.loads(self.ebox.setting("hq_manifest")), now=now)
        self.load_photos()
        return zero

    def start_mock_poll(self) -> None:
        """Step 2a: test votes may be cast (only after the first zero report)."""
        self.box.start_mock_poll()

    def mock_vote(self, ballot: dict[str, list[str]], *, now: dt.datetime) -> IssuedCard:
        """Step 2b: one test vote, its card printed and read back through the card adapters like a real one."""
        if self.box.state is not BoxState.MOCK_POLL:
            raise BranchStateError("test votes are cast only during the mock poll", code="opening_order")
        printed = self.card_writer.write(self.mock_card(now))
        self.box.cast(self.card_reader.read(printed.image), ballot)
        return printed

    def end_mock_poll(self, *, now: dt.datetime) -> SignedReport:
        """Step 2c: the test votes are reported (signed mock-poll report) and cleared, cards forgotten."""
        return self.box.end_mock_poll(now=now)

    def second_zero_report(self, *, now: dt.datetime) -> SignedReport:
        """Step 3: a second signed zero report proves the box empty again after the mock poll."""
        return self.box.second_zero_report(now=now)

    def open_polls(self, *, mock_poll_required: bool | None = None) -> SignedReport:
        """Step 4: tell HQ (with the latest zero report), then open the box for real votes."""
        required = self.mock_poll_required if mock_poll_required is None else mock_poll_required
        box = self.box
        box.check_open(mock_poll_required=required)  # before HQ hears of it
        zero = box.opening_report()
        if zero is None:  # pragma: no cover - a box that may open has a zero report
            raise BranchStateError("no zero report has been printed", code="opening_order")
        body: dict[str, Any] = {"zero_report": zero.document()}
        first, mock = (json.loads(self.ebox.journal.get(n) or "null") for n in ("zero_report", "mock_report"))
        if mock is not None:  # the whole opening, for HQ's record; HQ opens the branch with the latest zero
            body.update(first_zero_report=first, mock_report=mock)
        self.ebox.send("branch_open", body, queue_if_offline=False)
        box.open_polls(mock_poll_required=required)
        return zero

    # -- cards --------------------------------------------------------------------------------
    def print_card(self, token: str) -> IssuedCard:
        """The authentication device's printer makes the card the voter carries to the e-box."""
        return self.card_writer.write(token)

    def scan_card(self, data: bytes | str) -> str:
        """The e-box's reader turns a scanned image or a wedge line into the card token."""
        return self.card_reader.read(data)

    def load_photos(self) -> PhotoFetch:
        """Fetch and verify the loaded manifest's candidate photos; the outcome goes in the e-box journal."""
        self.photo_fetch = fetch_photos(self.box.manifest.document, self.photos, self.ebox.transport)
        self.ebox.journal.append("photos", self.photo_fetch.as_dict())
        return self.photo_fetch

    def photo_url(self, digest: str) -> str:
        """The kiosk address of a cached, verified photo, or "" (the screen then shows the name only)."""
        return f"/photos/{digest}" if digest and self.photos.has(digest) else ""

    def mock_card(self, now: dt.datetime) -> str:
        """Mock-poll cards come from the authentication device like real ones, without a check-in."""
        from entekhab.records.card import issue_card

        return issue_card(election=self.auth.setting("election"), branch=self.auth.setting("branch"),
                          style=self.auth.setting("style"), issuer=self.auth.serial, key=self.auth.key, now=now,
                          fingerprint=self.auth.journal.get("election_fingerprint") or "")

    def check_in(self, national_code: str, *, now: dt.datetime, offline_approved_by: str = "",
                 release: tuple[str, str] | None = None) -> CheckInOutcome:
        authenticator = self.authenticator
        session = authenticator.begin(national_code)
        while not session.cleared and session.attempts_left > 0:
            authenticator.scan(session)
        if not session.cleared:
            if release is None:
                raise DeviceError("fingerprint did not match four times",
                                  code="fingerprint_exhausted")
            authenticator.release(session, branch_head=release[0], reason=release[1])
        return authenticator.check_in(session, now=now, style=self.auth.setting("style"),
                                      offline_approved_by=offline_approved_by)

    def vote(self, card: str, ballot: dict[str, list[str]]) -> None:
        self.box.cast(card, ballot)

    def close(self, *, now: dt.datetime, branch_head: str, supervisor: str) -> SignedReport:
        """Close the polls, sign the report, send it with the vote records (queued if HQ is away)."""
        statement = self.authenticator.checkin_statement()
        box = self.box
        report = box.final_report() if box.state is BoxState.CLOSED else None
        if report is None:
            report = box.close(now=now, checkins=statement, branch_head=branch_head, supervisor=supervisor)
        Authenticator(self.auth, registry=self.registry, reader=self.reader,
                      polling_day=dt.date.fromisoformat(self.auth.setting("polling_day"))).close(report=report.sha256)
        self.auth.sync()
        self.ebox.send("branch_report", {"report": report.document(), "records": box.records()})
        return report
