"""The branch kiosk: a small local web server for the authentication device and the e-box.

This module is the application layer (JSON dict in, JSON dict out, ``ROUTES``, ``call``);
the HTTP edge is :mod:`entekhab.device.kiosk.server` (Starlette on uvicorn, 127.0.0.1, a
Host allow-list, an Origin check, operator sessions). Who may call what is
:data:`entekhab.device.kiosk.operators.ROUTE_ROLES`, checked here in ``call`` so every edge
gets it. The pages are static Persian RTL HTML with large type and large buttons for touch
screens. One lock serialises the branch's operations, as the devices do one voter at a time.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from entekhab.device.adapters.cards import CardUnreadable, IssuedCard
from entekhab.device.adapters.speech import WAV, ClipCache, EspeakSpeech, Speech
from entekhab.device.assets import FONTS as FONTS  # served at /fonts by the server
from entekhab.device.authentication import VoterSession
from entekhab.device.branch import BranchDevices
from entekhab.device.errors import BranchStateError, DeviceError
from entekhab.device.kiosk.audio import BallotAudio
from entekhab.device.kiosk.operators import (
    Operator,
    OperatorDesk,
    OperatorRefused,
    asks_offline_approval,
    required_role,
)
from entekhab.device.lifecycle import NAMES_FA, BoxState
from entekhab.domain.errors import DomainError
from entekhab.i18n import gettext_in
from entekhab.records.report import SignedReport

STATIC = Path(__file__).resolve().parent / "static"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".woff2": "font/woff2", ".pdf": "application/pdf"}
PAGES = {"/": "index.html", "/auth": "auth.html", "/ebox": "ebox.html", "/close": "close.html",
         "/opening": "opening.html"}
# The signed reports the kiosk prints, as PDFs in report_dir (served at /<name>): the opening's three, the close's.
REPORT_PDFS = ("zero-report.pdf", "mock-report.pdf", "zero-report-2.pdf", "report.pdf")
CARD_IMAGE_LIMIT = 700_000  # bytes of an uploaded card picture (base64 in a JSON body under 1 MB)


class Kiosk:
    """The branch's operations as JSON in, JSON out; errors are DomainErrors with Persian text."""

    def __init__(self, devices: BranchDevices, *, report_dir: Path,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 speech: Speech | None = None, operators: OperatorDesk | None = None) -> None:
        self.devices, self.report_dir, self.clock = devices, report_dir, clock
        # PINs are set on the devices at enrolment; the authentication device's journal is asked first.
        self.operators = operators or OperatorDesk([devices.auth.journal, devices.ebox.journal])
        self.acting: Operator | None = None  # the logged-in operator of the call in progress (under the lock)
        self.audio = BallotAudio(lambda: devices.box, ClipCache(speech or EspeakSpeech()))  # the audio ballot
        self.sessions: dict[str, VoterSession] = {}
        self.lock = threading.Lock()

    def _session(self, body: dict[str, Any]) -> VoterSession:
        session = self.sessions.get(text(body, "session"))
        if session is None:
            raise DeviceError("no voter is being checked in; start again", code="no_session")
        return session

    def _acting_name(self) -> str:
        """The logged-in branch head's enrolled name: releases, approvals and the close record it, not the body."""
        return self.acting.name if self.acting is not None else ""

    def status(self, _: dict[str, Any]) -> dict[str, Any]:
        d = self.devices
        state = d.box.state if d.ebox.journal.get("auth_public_key") else BoxState.INSTALLED
        return {"branch": d.ebox.setting("branch"), "election": d.ebox.setting("election"),
                "state": state.value, "state_fa": NAMES_FA[state],
                "ballots": d.box.ballots_cast if state is not BoxState.INSTALLED else 0,
                "checkins": d.auth.journal.count("card_issued"),
                "closed": state is BoxState.CLOSED or d.auth.closed is not None,
                "pending": len(d.auth.pending()) + len(d.ebox.pending()),
                "report": (self.report_dir / "report.pdf").exists()}

    # -- the opening (part O): the branch head's four steps, in the law's order -----------------
    mock_poll_required = True  # the kiosk opens no branch without its mock poll and second zero report
    MOCK_STEPS = (("zero", "zero-report.pdf"), ("mock", "mock-report.pdf"), ("zero2", "zero-report-2.pdf"))

    def _box_state(self) -> BoxState:
        d = self.devices
        return d.box.state if d.ebox.journal.get("auth_public_key") else BoxState.INSTALLED

    def _after_zero(self) -> None:
        if self._box_state() is BoxState.INSTALLED:
            raise BranchStateError("the zero report comes first: print it before any other opening step",
                                   code="opening_order")

    def _render(self, report: SignedReport, name: str) -> str:
        from entekhab.device.pdf import render_pdf

        render_pdf(report, self.devices.box.manifest, self.report_dir / name)
        return "/" + name

    def opening_status(self, _: dict[str, Any]) -> dict[str, Any]:
        """Where the opening is: the state, the next step, the printed reports, the test votes so far."""
        state = self._box_state()
        step = {BoxState.INSTALLED: "zero", BoxState.MANIFEST_LOADED: "mock_start", BoxState.MOCK_POLL: "mock_vote",
                BoxState.MOCK_CLEARED: "zero2", BoxState.READY: "open"}.get(state, "")
        mock = 0
        if state is BoxState.MOCK_POLL:
            mock = int(self.devices.box.db.execute("SELECT COUNT(*) FROM vote_records WHERE mock = 1").fetchone()[0])
        return {"state": state.value, "state_fa": NAMES_FA[state], "next": step, "mock_ballots": mock,
                "pdfs": {key: "/" + name for key, name in self.MOCK_STEPS if (self.report_dir / name).exists()}}

    def opening_zero(self, _: dict[str, Any]) -> dict[str, Any]:
        """Step 1: load the manifest from HQ and print the signed zero report."""
        if self._box_state() is not BoxState.INSTALLED:
            raise BranchStateError("the zero report has already been printed", code="opening_order")
        zero = self.devices.zero_report(now=self.clock())
        return {"zero_report": zero.sha256, "pdf": self._render(zero, "zero-report.pdf"),
                **self.opening_status({})}

    def opening_mock_start(self, _: dict[str, Any]) -> dict[str, Any]:
        """Step 2a: the mock poll begins (after the zero report only)."""
        self._after_zero()
        self.devices.start_mock_poll()
        return self.opening_status({})

    def opening_mock_vote(self, body: dict[str, Any]) -> dict[str, Any]:
        """Step 2b: one test vote; its card is printed and read back through the card adapters."""
        self._after_zero()
        ballot = body.get("ballot")
        if ballot is None:
            ballot = self._test_ballot()
        if not isinstance(ballot, dict):
            raise DeviceError("ballot must be an object", code="malformed_codes")
        printed = self.devices.mock_vote(ballot, now=self.clock())
        self._printed = printed
        return {"card_url": f"/cards/{printed.name}", **self.opening_status({})}

    def _test_ballot(self) -> dict[str, list[str]]:
        """A test vote for the first candidate of each contest (blank where that is not a valid vote)."""
        ballot: dict[str, list[str]] = {}
        for contest in self.devices.box.manifest.contests:
            first = sorted(code for code, v in contest.names.items() if v["kind"] == "candidate")[:1]
            ballot[contest.code] = first if self.devices.box.check_contest(contest.code, first)["ok"] else []
        return ballot

    def opening_mock_end(self, _: dict[str, Any]) -> dict[str, Any]:
        """Step 2c: the test votes are reported in the signed mock-poll report, then cleared."""
        self._after_zero()
        report = self.devices.end_mock_poll(now=self.clock())
        return {"mock_report": report.sha256, "ballots": report.report["ballots"],
                "pdf": self._render(report, "mock-report.pdf"), **self.opening_status({})}

    def opening_zero2(self, _: dict[str, Any]) -> dict[str, Any]:
        """Step 3: the second zero report proves the box empty again."""
        self._after_zero()
        zero = self.devices.second_zero_report(now=self.clock())
        return {"zero_report": zero.sha256, "pdf": self._render(zero, "zero-report-2.pdf"),
                **self.opening_status({})}

    def open(self, _: dict[str, Any]) -> dict[str, Any]:
        """Step 4: HQ is told, with the latest zero report, and the box takes real votes."""
        self._after_zero()
        zero = self.devices.open_polls(mock_poll_required=self.mock_poll_required)
        return {"zero_report": zero.sha256, **self.opening_status({})}

    def report_pdf(self, name: str) -> bytes | None:
        """A printed report's PDF (one of REPORT_PDFS), or None before it is printed."""
        path = self.report_dir / name
        return path.read_bytes() if name in REPORT_PDFS and path.is_file() else None

    def _refuse_before_opening(self) -> None:
        if self._box_state() in (BoxState.INSTALLED, BoxState.MANIFEST_LOADED, BoxState.MOCK_POLL,
                                 BoxState.MOCK_CLEARED, BoxState.READY):
            raise BranchStateError("the branch is not open yet: the branch head opens it first",
                                   code="branch_not_open")

    # -- cards (part O): printed by the authentication device, read by the e-box ------------------
    _printed: IssuedCard | None = None

    def _print(self, token: str) -> dict[str, Any]:
        """Print the card; a printer fault leaves the token on screen (the check-in is already recorded)."""
        try:
            self._printed = self.devices.print_card(token)
        except (DomainError, OSError) as exc:
            error = (exc.as_dict() if isinstance(exc, DomainError)
                     else _refusal("printer_failed", "the card printer failed"))
            return {"card_url": "", "print_error": error}
        return {"card_url": f"/cards/{self._printed.name}",
                "card_pdf_url": f"/cards/{self._printed.pdf_name}" if self._printed.pdf_name else ""}

    def card_image(self, name: str) -> tuple[bytes, str] | None:
        """The card just printed (its image or PDF), by the file name the printer gave it; else None."""
        printed = self._printed
        if printed is None or not name:
            return None
        if name == printed.name:
            return printed.image, printed.media_type
        getter = getattr(self.devices.card_writer, "get", None)
        if name == printed.pdf_name and getter is not None:
            found = getter(name)
            return found if isinstance(found, tuple) else None
        return None

    def _card_token(self, body: dict[str, Any]) -> str:
        """The token from the wedge text (``card``) or the uploaded picture (``image``), through the CardReader."""
        image = body.get("image")
        if image not in (None, ""):
            if not isinstance(image, str) or len(image) > CARD_IMAGE_LIMIT * 4 // 3 + 64:
                raise CardUnreadable("the card image is too large")
            encoded = image.split(",", 1)[1] if image.startswith("data:") else image
            try:
                data = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise CardUnreadable("the card image cannot be read: it is damaged or not a picture") from exc
            return self.devices.scan_card(data)
        card = body.get("card", "")
        if not isinstance(card, str):
            raise CardUnreadable("no card was read: scan the card again")
        return self.devices.scan_card(card)

    def auth_begin(self, body: dict[str, Any]) -> dict[str, Any]:
        self._refuse_before_opening()
        session = self.devices.authenticator.begin(text(body, "national_code"))
        token = secrets.token_urlsafe(12)
        self.sessions = {token: session}  # one voter at a time at this desk
        return {"session": token, "masked": session.national_code[:3] + "…" + session.national_code[-1],
                "attempts_left": session.attempts_left}

    def auth_scan(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        scan = self.devices.authenticator.scan(session)
        return {"matched": scan.matched, "seconds": scan.seconds, "quality": scan.quality,
                "attempts_left": session.attempts_left}

    def auth_release(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        self.devices.authenticator.release(session, branch_head=self._acting_name(),
                                           reason=text(body, "reason", limit=500))
        return {"released": True}

    def auth_checkin(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        outcome = self.devices.authenticator.check_in(
            session, now=self.clock(), style=self.devices.auth.setting("style"),
            offline_approved_by=self._acting_name() if asks_offline_approval(body) else "")
        self.sessions.clear()
        printed = self._print(outcome.card)
        return {"card": outcome.card, "offline": outcome.offline, **printed}

    def ebox_card(self, body: dict[str, Any]) -> dict[str, Any]:
        """Read the card the voter brings: the wedge scanner's text (``card``) or a picture (``image``, base64)."""
        token = self._card_token(body)
        self.devices.box.read_card(token)
        return {"card": token,
                "contests": [{"code": c.code, "name_fa": c.name_fa, "name_en": c.name_en, "max_votes": c.max_votes}
                             for c in self.devices.box.manifest.contests]}

    def ebox_check(self, body: dict[str, Any]) -> dict[str, Any]:
        codes = body.get("codes")
        if not isinstance(codes, list):
            raise DeviceError("codes must be a list", code="malformed_codes")
        if len(codes) > 500 or not all(isinstance(c, str | int) and not isinstance(c, bool) for c in codes):
            raise DeviceError("codes must be a list", code="malformed_codes")
        answer = self.devices.box.check_contest(text(body, "contest"), [str(c)[:50] for c in codes])
        for entry in answer["codes"]:  # a candidate's verified photo, if the e-box has it; lists have none
            entry["photo_url"] = self.devices.photo_url(str(entry.get("photo", "")))
        return answer

    def photo(self, digest: str) -> tuple[bytes, str] | None:
        """A cached photo whose bytes still match the digest the signed manifest names."""
        return self.devices.photos.get(digest)

    def ebox_audio(self, body: dict[str, Any]) -> dict[str, Any]:
        """The audio ballot's clips for one step (see :mod:`entekhab.device.kiosk.audio`)."""
        return self.audio.step(body)

    def audio_clip(self, name: str) -> tuple[bytes, str] | None:
        """A clip the audio ballot rendered (served under /audio/); any other name is None."""
        found = self.audio.clips.get(name)
        return None if found is None else (found, WAV)

    def ebox_cast(self, body: dict[str, Any]) -> dict[str, Any]:
        ballot = body.get("ballot")
        if not isinstance(ballot, dict):
            raise DeviceError("ballot must be an object", code="malformed_codes")
        self.devices.vote(self._card_token(body), ballot)
        return {"cast": True}

    def close(self, body: dict[str, Any]) -> dict[str, Any]:
        from entekhab.device.pdf import render_pdf

        report = self.devices.close(now=self.clock(), branch_head=self._acting_name(),
                                    supervisor=text(body, "supervisor"))
        render_pdf(report, self.devices.box.manifest, self.report_dir / "report.pdf")
        return {"sha256": report.sha256, "ballots": report.report["ballots"], "pdf": "/report.pdf",
                "sent": not self.devices.ebox.pending()}

    def sync(self, _: dict[str, Any]) -> dict[str, Any]:
        self.devices.auth.sync()
        self.devices.ebox.sync()
        return {"pending": len(self.devices.auth.pending()) + len(self.devices.ebox.pending())}

    ROUTES = {"/api/status": "status", "/api/open": "open", "/api/auth/begin": "auth_begin",
              "/api/opening": "opening_status", "/api/opening/zero": "opening_zero",
              "/api/opening/mock/start": "opening_mock_start", "/api/opening/mock/vote": "opening_mock_vote",
              "/api/opening/mock/end": "opening_mock_end", "/api/opening/zero2": "opening_zero2",
              "/api/auth/scan": "auth_scan", "/api/auth/release": "auth_release", "/api/auth/checkin": "auth_checkin",
              "/api/ebox/card": "ebox_card", "/api/ebox/check": "ebox_check", "/api/ebox/cast": "ebox_cast",
              "/api/ebox/audio": "ebox_audio",
              "/api/close": "close", "/api/sync": "sync"}

    def call(self, path: str, body: dict[str, Any], operator: Operator | None = None) -> tuple[int, dict[str, Any]]:
        """Run one route for ``operator`` (the logged-in session's; None: nobody) if its role may.

        Refusals (a DomainError: bad input, wrong state, no login, wrong role) are 4xx with a
        Persian message and change nothing; any other exception is a bug and propagates (5xx).
        """
        name = self.ROUTES.get(path)
        if name is None:
            return 404, _refusal("not_found", "not found")
        if not isinstance(body, dict):
            return 400, _refusal("bad_request", "the body must be a JSON object")
        needed = required_role(path, body)
        if needed is not None and operator is None:
            return 401, _refusal("login_required", "log in first (branch head or operator PIN)")
        if operator is not None and not operator.may(needed):
            return 403, _refusal("wrong_role", "only the branch head may do this: log in as the branch head")
        with self.lock:
            self.acting = operator
            try:
                return 200, getattr(self, name)(body)
            except OperatorRefused as exc:
                return exc.status, exc.as_dict()
            except DomainError as exc:
                return (409 if exc.code == "branch_closed" else 400), exc.as_dict()
            finally:
                self.acting = None


def text(body: dict[str, Any], key: str, *, limit: int = 200) -> str:
    """A text field of a JSON body ("" when absent); anything else is the caller's mistake, refused in Persian."""
    value = body.get(key, "")
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool) and key == "national_code":
        value = str(value)  # a national code typed as a number
    if not isinstance(value, str):
        raise DeviceError("%(field)s must be text", params={"field": key}, code="malformed_field")
    if len(value) > limit or "\x00" in value:
        raise DeviceError("%(field)s is too long or holds a forbidden character", params={"field": key},
                          code="malformed_field")
    return value


def _refusal(code: str, msgid: str) -> dict[str, str]:
    return {"code": code, "message": msgid, "message_fa": gettext_in("fa", msgid)}
