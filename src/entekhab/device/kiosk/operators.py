"""Who may act at the branch kiosk: one PIN per role, sessions that time out, and a lockout.

The branch head (``branch_head``) and the desk operator (``operator``) each have a PIN set
at enrolment (``entekhab device enrol``). Only a salted scrypt hash is kept, in the device
journal's settings (``operator_pin:<role>``), next to the device key it protects. A login
gives an opaque session token (an HttpOnly, SameSite=Strict cookie at the HTTP edge) that
lapses after ``IDLE_TIMEOUT_S`` without use; ``MAX_FAILURES`` wrong PINs in a row lock the
role for ``LOCK_S`` seconds, and the count survives a restart of the kiosk (it is in the
journal's settings too), so restarting does not buy more guesses.

``ROUTE_ROLES`` is the one table saying which role each kiosk route needs; a route missing
from it needs the branch head (deny by default). ``ESCALATIONS`` raises a route to the
branch head when its body asks for something only the head may do (an offline approval).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from entekhab.device.errors import DeviceError
from entekhab.device.journal import Journal
from entekhab.domain.digits import to_ascii_digits
from entekhab.i18n import N_, pgettext_in

BRANCH_HEAD, OPERATOR = "branch_head", "operator"
ROLES = (BRANCH_HEAD, OPERATOR)
ROLE_LABELS = {BRANCH_HEAD: N_("branch head"), OPERATOR: N_("operator")}  # msgctxt "kiosk role"
RANK = {OPERATOR: 1, BRANCH_HEAD: 2}  # the branch head may do everything an operator may
PUBLIC = None  # readable without a login

ROUTE_ROLES: dict[str, str | None] = {
    "/api/status": PUBLIC,
    "/api/open": BRANCH_HEAD,
    "/api/close": BRANCH_HEAD,
    "/api/auth/release": BRANCH_HEAD,  # manual fingerprint release
    "/api/auth/begin": OPERATOR,
    "/api/auth/scan": OPERATOR,
    "/api/auth/checkin": OPERATOR,  # BRANCH_HEAD with an offline approval, see ESCALATIONS
    "/api/ebox/card": OPERATOR,
    "/api/ebox/check": OPERATOR,
    "/api/ebox/cast": OPERATOR,
    "/api/ebox/audio": OPERATOR,  # the audio ballot's clips (part A)
    "/api/sync": OPERATOR,
    # The opening (part O): the branch head prints the reports and runs the mock poll; the desk sees where it is.
    "/api/opening": OPERATOR,
    "/api/opening/zero": BRANCH_HEAD,
    "/api/opening/mock/start": BRANCH_HEAD,
    "/api/opening/mock/vote": BRANCH_HEAD,
    "/api/opening/mock/end": BRANCH_HEAD,
    "/api/opening/zero2": BRANCH_HEAD,
}


def asks_offline_approval(body: Mapping[str, Any]) -> bool:
    return bool(body.get("offline_approved") or body.get("offline_approved_by"))


ESCALATIONS: dict[str, Callable[[Mapping[str, Any]], bool]] = {"/api/auth/checkin": asks_offline_approval}

IDLE_TIMEOUT_S = 15 * 60
MAX_SESSION_S = 12 * 3600  # even a session in constant use ends after a polling day
MAX_FAILURES = 5
LOCK_S = 5 * 60
PIN_DIGITS = (4, 12)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
DEMO_SEED = 1405


def role_label(role: str, lang: str = "fa") -> str:
    return pgettext_in(lang, "kiosk role", ROLE_LABELS.get(role, role))


def required_role(path: str, body: Mapping[str, Any]) -> str | None:
    """The role ``path`` needs for this ``body`` (None: public); unknown routes need the branch head."""
    role = ROUTE_ROLES.get(path, BRANCH_HEAD)
    escalate = ESCALATIONS.get(path)
    if role is not None and escalate is not None and escalate(body):
        return BRANCH_HEAD
    return role


class OperatorRefused(DeviceError):
    """A login or an operator's call was refused; ``status`` is the HTTP status the kiosk answers with."""

    code = "operator_refused"
    status = 401


def _refused(msgid: str, code: str, status: int, **params: Any) -> OperatorRefused:
    error = OperatorRefused(msgid, code=code, params=params or None)
    error.status = status
    return error


def check_pin(pin: object) -> str:
    low, high = PIN_DIGITS
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit() or not low <= len(pin) <= high:
        raise _refused("a PIN is 4 to 12 digits", "bad_pin_format", 400)
    return pin


def _to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits typed on a Persian keyboard count as the same PIN."""
    return to_ascii_digits(text)


def hash_pin(pin: str, salt: bytes | None = None) -> dict[str, Any]:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, **SCRYPT, dklen=32)
    return {"scheme": "scrypt", **SCRYPT, "salt": salt.hex(), "hash": digest.hex()}


def pin_matches(pin: str, record: Mapping[str, Any]) -> bool:
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(record["salt"]), n=int(record["n"]),
                            r=int(record["r"]), p=int(record["p"]), dklen=32)
    return hmac.compare_digest(digest.hex(), str(record["hash"]))


def set_operator(journal: Journal, role: str, pin: str, *, name: str = "") -> None:
    """Set (or replace) a role's PIN on this device; ``name`` is recorded in releases, approvals, the close."""
    if role not in ROLES:
        raise _refused("unknown kiosk role", "bad_operator_role", 400)
    record = {**hash_pin(check_pin(pin)), "name": name.strip()}
    journal.put(f"operator_pin:{role}", json.dumps(record))
    journal.put(f"operator_lock:{role}", json.dumps({"failures": 0, "locked_until": 0}))


def set_pins(journal: Journal, pins: Mapping[str, str], names: Mapping[str, str] | None = None) -> None:
    for role, pin in pins.items():
        set_operator(journal, role, pin, name=(names or {}).get(role, ""))


def demo_pins(seed: int = DEMO_SEED) -> dict[str, str]:
    """Deterministic six-digit PINs for the demo and tests (seed 1405: branch head 512418, operator 769780)."""
    out = {}
    for role in ROLES:
        digest = hashlib.sha256(f"entekhab-kiosk-pin:{seed}:{role}".encode()).digest()
        out[role] = f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"
    return out


def random_pins() -> dict[str, str]:
    """Fresh PINs for a real enrolment (printed once by the command, never stored in the clear)."""
    return {role: f"{secrets.randbelow(1_000_000):06d}" for role in ROLES}


@dataclass(frozen=True)
class Operator:
    role: str
    name: str  # the enrolled name, or the role's Persian title when none was given

    def may(self, role: str | None) -> bool:
        return role is None or RANK[self.role] >= RANK[role]

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "role_fa": role_label(self.role), "name": self.name}


@dataclass
class _Session:
    operator: Operator
    started: float
    seen: float


class OperatorDesk:
    """Logins and sessions of one kiosk; PIN hashes and lock counts live in the first journal that has them."""

    def __init__(self, journals: Sequence[Journal], *, clock: Callable[[], float] = time.time,
                 idle_timeout: float = IDLE_TIMEOUT_S, max_failures: int = MAX_FAILURES,
                 lock_seconds: float = LOCK_S) -> None:
        self.journals, self.clock = list(journals), clock
        self.idle_timeout, self.max_failures, self.lock_seconds = idle_timeout, max_failures, lock_seconds
        self.sessions: dict[str, _Session] = {}
        self.lock = threading.Lock()

    def _home(self, role: str) -> tuple[Journal, dict[str, Any]] | None:
        for journal in self.journals:
            raw = journal.get(f"operator_pin:{role}")
            if raw:
                return journal, json.loads(raw)
        return None

    def enrolled_roles(self) -> list[str]:
        return [role for role in ROLES if self._home(role) is not None]

    def login(self, role: object, pin: object) -> tuple[str, Operator]:
        """A new session token for the role whose PIN this is; wrong PINs count towards the lockout."""
        if not isinstance(role, str) or role not in ROLES:
            raise _refused("unknown kiosk role", "bad_operator_role", 400)
        pin = check_pin(_to_ascii_digits(pin) if isinstance(pin, str) else pin)
        with self.lock:
            home = self._home(role)
            if home is None:
                raise _refused("no PIN is set for this role on this device (set it at enrolment)", "no_pin", 403)
            journal, record = home
            now = self.clock()
            state = json.loads(journal.get(f"operator_lock:{role}") or "{}")
            failures, until = int(state.get("failures", 0)), float(state.get("locked_until", 0))
            if until > now:
                raise _refused("too many wrong PINs: this role is locked for %(minutes)s more minute(s)",
                               "pin_locked", 429, minutes=max(1, round((until - now) / 60)))
            if not pin_matches(pin, record):
                failures += 1
                locked = failures >= self.max_failures
                journal.put(f"operator_lock:{role}", json.dumps(
                    {"failures": 0 if locked else failures, "locked_until": now + self.lock_seconds if locked else 0}))
                if locked:
                    raise _refused("too many wrong PINs: this role is locked for %(minutes)s more minute(s)",
                                   "pin_locked", 429, minutes=max(1, round(self.lock_seconds / 60)))
                raise _refused("wrong PIN; %(left)s attempt(s) left before the role is locked", "wrong_pin", 401,
                               left=self.max_failures - failures)
            if failures:
                journal.put(f"operator_lock:{role}", json.dumps({"failures": 0, "locked_until": 0}))
            operator = Operator(role, str(record.get("name") or "") or role_label(role))
            token = secrets.token_urlsafe(24)
            self.sessions[token] = _Session(operator, now, now)
            return token, operator

    def lookup(self, token: str | None, *, touch: bool = True) -> Operator:
        """The operator of a live session (marked used if ``touch``), or a refusal saying why there is none."""
        with self.lock:
            session = self.sessions.get(token or "")
            if session is None:
                raise _refused("log in first (branch head or operator PIN)", "login_required", 401)
            now = self.clock()
            if now - session.seen > self.idle_timeout or now - session.started > MAX_SESSION_S:
                del self.sessions[token or ""]
                raise _refused("your session timed out; log in again", "session_expired", 401)
            if touch:
                session.seen = now
            return session.operator

    def peek(self, token: str | None) -> Operator | None:
        """The session's operator without refusing (for showing who is logged in)."""
        try:
            return self.lookup(token, touch=False)
        except OperatorRefused:
            return None

    def logout(self, token: str | None) -> None:
        with self.lock:
            self.sessions.pop(token or "", None)
