"""The branch kiosk: a small local web server for the authentication device and the e-box.

Stdlib ``http.server`` (threading) on 127.0.0.1; the pages are static Persian RTL HTML
with large type and large buttons for touch screens, talking to JSON endpoints here.
One lock serialises the branch's operations, as the devices do one voter at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from entekhab.device.authentication import VoterSession
from entekhab.device.branch import BranchDevices
from entekhab.device.errors import DeviceError
from entekhab.device.lifecycle import NAMES_FA, BoxState
from entekhab.domain.errors import DomainError
from entekhab.i18n import gettext_in

STATIC = Path(__file__).resolve().parent / "static"
FONTS = Path(__file__).resolve().parents[2] / "hq" / "static" / "fonts"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".woff2": "font/woff2", ".pdf": "application/pdf"}
PAGES = {"/": "index.html", "/auth": "auth.html", "/ebox": "ebox.html", "/close": "close.html"}


class Kiosk:
    """The branch's operations as JSON in, JSON out; errors are DomainErrors with Persian text."""

    def __init__(self, devices: BranchDevices, *, report_dir: Path,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.devices, self.report_dir, self.clock = devices, report_dir, clock
        self.sessions: dict[str, VoterSession] = {}
        self.lock = threading.Lock()

    def _session(self, body: dict[str, Any]) -> VoterSession:
        session = self.sessions.get(str(body.get("session", "")))
        if session is None:
            raise DeviceError("no voter is being checked in; start again", code="no_session")
        return session

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

    def open(self, _: dict[str, Any]) -> dict[str, Any]:
        from entekhab.device.pdf import render_pdf

        zero = self.devices.open(now=self.clock())
        render_pdf(zero, self.devices.box.manifest, self.report_dir / "zero-report.pdf")
        return {"zero_report": zero.sha256, "pdf": "/zero-report.pdf"}

    def auth_begin(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self.devices.authenticator.begin(body.get("national_code"))
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
        self.devices.authenticator.release(session, branch_head=str(body.get("branch_head", "")),
                                           reason=str(body.get("reason", "")))
        return {"released": True}

    def auth_checkin(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        outcome = self.devices.authenticator.check_in(
            session, now=self.clock(), style=self.devices.auth.setting("style"),
            offline_approved_by=str(body.get("offline_approved_by", "")))
        self.sessions.clear()
        return {"card": outcome.card, "offline": outcome.offline}

    def ebox_card(self, body: dict[str, Any]) -> dict[str, Any]:
        self.devices.box.read_card(str(body.get("card", "")))
        return {"contests": [{"code": c.code, "name_fa": c.name_fa, "name_en": c.name_en, "max_votes": c.max_votes}
                             for c in self.devices.box.manifest.contests]}

    def ebox_check(self, body: dict[str, Any]) -> dict[str, Any]:
        codes = body.get("codes")
        if not isinstance(codes, list):
            raise DeviceError("codes must be a list", code="malformed_codes")
        answer = self.devices.box.check_contest(str(body.get("contest", "")), [str(c) for c in codes])
        for entry in answer["codes"]:  # a candidate's verified photo, if the e-box has it; lists have none
            entry["photo_url"] = self.devices.photo_url(str(entry.get("photo", "")))
        return answer

    def photo(self, digest: str) -> tuple[bytes, str] | None:
        """A cached photo whose bytes still match the digest the signed manifest names."""
        return self.devices.photos.get(digest)

    def ebox_cast(self, body: dict[str, Any]) -> dict[str, Any]:
        ballot = body.get("ballot")
        if not isinstance(ballot, dict):
            raise DeviceError("ballot must be an object", code="malformed_codes")
        self.devices.vote(str(body.get("card", "")), ballot)
        return {"cast": True}

    def close(self, body: dict[str, Any]) -> dict[str, Any]:
        from entekhab.device.pdf import render_pdf

        report = self.devices.close(now=self.clock(), branch_head=str(body.get("branch_head", "")),
                                    supervisor=str(body.get("supervisor", "")))
        render_pdf(report, self.devices.box.manifest, self.report_dir / "report.pdf")
        return {"sha256": report.sha256, "ballots": report.report["ballots"], "pdf": "/report.pdf",
                "sent": not self.devices.ebox.pending()}

    def sync(self, _: dict[str, Any]) -> dict[str, Any]:
        self.devices.auth.sync()
        self.devices.ebox.sync()
        return {"pending": len(self.devices.auth.pending()) + len(self.devices.ebox.pending())}

    ROUTES = {"/api/status": "status", "/api/open": "open", "/api/auth/begin": "auth_begin",
              "/api/auth/scan": "auth_scan", "/api/auth/release": "auth_release", "/api/auth/checkin": "auth_checkin",
              "/api/ebox/card": "ebox_card", "/api/ebox/check": "ebox_check", "/api/ebox/cast": "ebox_cast",
              "/api/close": "close", "/api/sync": "sync"}

    def call(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name = self.ROUTES.get(path)
        if name is None:
            return 404, _refusal("not_found", "not found")
        with self.lock:
            try:
                return 200, getattr(self, name)(body)
            except DomainError as exc:
                return (409 if exc.code == "branch_closed" else 400), exc.as_dict()


def _refusal(code: str, msgid: str) -> dict[str, str]:
    return {"code": code, "message": msgid, "message_fa": gettext_in("fa", msgid)}


def make_server(kiosk: Kiosk, host: str = "127.0.0.1", port: int = 8470) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "EntekhabKiosk/1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, body: bytes, ctype: str, *, csp: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if csp:  # a photo (perhaps SVG) must never run script, even opened on its own
                self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _not_found(self) -> None:
            self._send(HTTPStatus.NOT_FOUND, gettext_in("fa", "not found").encode(), "text/plain; charset=utf-8")

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path in PAGES:
                return self._send(200, (STATIC / PAGES[path]).read_bytes(), TYPES[".html"])
            if path == "/api/status":
                return self._json(*kiosk.call(path, {}))
            if path in ("/report.pdf", "/zero-report.pdf") and (kiosk.report_dir / path[1:]).exists():
                return self._send(200, (kiosk.report_dir / path[1:]).read_bytes(), TYPES[".pdf"])
            if path.startswith("/photos/"):
                found = kiosk.photo(path[len("/photos/"):])
                if found is None:
                    return self._not_found()
                return self._send(200, found[0], found[1], csp=True)
            name = path.rsplit("/", 1)[-1]
            for folder in (STATIC, FONTS):
                file = folder / name
                if path.startswith(("/static/", "/fonts/")) and file.suffix in TYPES and file.is_file():
                    return self._send(200, file.read_bytes(), TYPES[file.suffix])
            return self._not_found()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1_000_000:
                return self._json(413, _refusal("too_large", "request too large"))
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError:
                return self._json(400, _refusal("bad_request", "the body must be a JSON object"))
            return self._json(*kiosk.call(urlparse(self.path).path, body))

    return ThreadingHTTPServer((host, port), Handler)
