"""Signed device messages: what every request from a device to HQ looks like.

``{"envelope": {"device", "election", "branch", "seq", "kind", "body"}, "signature"}``.
The signature covers the canonical envelope, so HQ can check that the serial, branch,
election and sequence number were sent by the enrolled key; the sequence number makes
a resent message recognisable (a replay is refused, and the refusal carries the
original answer so that an honest retry learns its outcome).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from entekhab.i18n import en_fa
from entekhab.records.canonical import MAX_INT, canonical_json, sha256_hex
from entekhab.records.errors import RecordError
from entekhab.records.signing import SigningKey

KINDS = ("checkin", "checkin_offline", "branch_info", "branch_open", "branch_report", "journal_transfer", "heartbeat")
FIELDS = ("device", "election", "branch", "seq", "kind", "body")


def _bad(path: str, en: str, fa: str) -> RecordError:
    return RecordError(f"{path}: {en}", fa, code="bad_message", path=path)


@dataclass(frozen=True)
class Envelope:
    device: str
    election: str
    branch: str
    seq: int
    kind: str
    body: dict[str, Any]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise _bad("$.envelope.kind", *en_fa("unknown message kind %(value)s", value=repr(str(self.kind)[:32])))
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or not 1 <= self.seq <= MAX_INT:
            raise _bad("$.envelope.seq", *en_fa("sequence number must be a positive integer"))
        for name in ("device", "election", "branch"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value or len(value) > 64:
                raise _bad(f"$.envelope.{name}", *en_fa("%(name)s must be a short text", name=name))
        if not isinstance(self.body, dict):
            raise _bad("$.envelope.body", *en_fa("body must be an object"))

    def document(self) -> dict[str, Any]:
        return {"device": self.device, "election": self.election, "branch": self.branch,
                "seq": self.seq, "kind": self.kind, "body": self.body}

    @property
    def digest(self) -> str:
        return sha256_hex(canonical_json(self.document()))

    def signed(self, key: SigningKey) -> dict[str, Any]:
        return {"envelope": self.document(), "signature": key.sign_document(self.document())}

    @classmethod
    def parse(cls, document: object) -> Envelope:
        if not isinstance(document, dict):
            raise _bad("$.envelope", *en_fa("envelope must be an object"))
        missing = [f for f in FIELDS if f not in document]
        if missing:
            raise _bad(f"$.envelope.{missing[0]}", *en_fa("envelope lacks %(value)s", value=missing[0]))
        return cls(*(document[f] for f in FIELDS))


@dataclass(frozen=True)
class CheckInMessage:
    """The body of a ``checkin`` / ``checkin_offline`` message: who, for which style, when (hour)."""

    national_code: str
    style: str
    fields: dict[str, Any]

    @classmethod
    def parse(cls, body: object) -> CheckInMessage:
        if not isinstance(body, dict):
            raise _bad("$.envelope.body", *en_fa("body must be an object"))
        code = body.get("national_code")
        if not isinstance(code, str) or len(code) > 32:
            raise _bad("$.envelope.body.national_code", *en_fa("national code must be text"))
        style = body.get("style", "")
        if not isinstance(style, str) or len(style) > 64:
            raise _bad("$.envelope.body.style", *en_fa("style must be a short text"))
        return cls(code, style, dict(body))


# -- heartbeat -----------------------------------------------------------------------------

HEARTBEAT_STATES = ("installed", "enrolled", "manifest_loaded", "mock_poll", "open", "closed", "retired")
POWER = ("mains", "battery", "ups")
LINKS = ("sim", "landline", "fibre")
WIRED = frozenset({"landline", "fibre"})
# Bounds: a device reporting outside them is broken or hostile, and HQ keeps nothing of it.
SIGNAL_DBM = (-140, -20)
MAX_QUEUED = 1_000_000
MAX_CLOCK_OFFSET_MS = 86_400_000  # a day either way
INTERVAL_S = (5, 3600)
_AT = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
HEARTBEAT_FIELDS = frozenset({"state", "battery", "power", "link", "signal_dbm", "queued", "clock_offset_ms",
                              "interval_s", "at"})


def _bounded(body: dict[str, Any], name: str, low: int, high: int, *, nullable: bool = False) -> int | None:
    """A whole number within bounds: floats (even 80.0), NaN, booleans and huge integers are refused."""
    value = body[name]
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(f"$.envelope.body.{name}",
                   *en_fa("%(name)s must be a whole number from %(low)s to %(high)s", name=name, low=low, high=high))
    return value


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = body[name]
    if not isinstance(value, str) or value not in allowed:
        raise _bad(f"$.envelope.body.{name}",
                   *en_fa("%(name)s must be one of %(allowed)s", name=name, allowed=", ".join(allowed)))
    return value


@dataclass(frozen=True)
class HeartbeatMessage:
    """The body of a ``heartbeat``: the device says it is alive and how it is doing.

    Every field is required and bounded, and nothing else is allowed, because HQ stores the
    body as the device's last report and shows it on the network page: an open-ended body would
    let a device (or a stolen key) fill HQ's tables. ``interval_s`` is how often the device
    sends one, so HQ can tell a silent device (``hq.operations.policy.MISSED_HEARTBEATS``).
    """

    state: str
    battery: int | None
    power: str
    link: str
    signal_dbm: int | None
    queued: int
    clock_offset_ms: int
    interval_s: int
    at: str

    @classmethod
    def parse(cls, body: object) -> HeartbeatMessage:
        if not isinstance(body, dict):
            raise _bad("$.envelope.body", *en_fa("body must be an object"))
        unknown = sorted(str(k)[:32] for k in body if k not in HEARTBEAT_FIELDS)
        if unknown:
            raise _bad(f"$.envelope.body.{unknown[0]}", *en_fa("a heartbeat has no field %(value)s", value=unknown[0]))
        missing = sorted(HEARTBEAT_FIELDS - set(body))
        if missing:
            raise _bad(f"$.envelope.body.{missing[0]}", *en_fa("a heartbeat lacks %(value)s", value=missing[0]))
        for value in body.values():
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
                raise _bad("$.envelope.body", *en_fa("a heartbeat carries no fractions, NaN or infinity"))
        link = _choice(body, "link", LINKS)
        signal = _bounded(body, "signal_dbm", *SIGNAL_DBM, nullable=link in WIRED)
        if link in WIRED and signal is not None:
            raise _bad("$.envelope.body.signal_dbm", *en_fa("a wired link has no signal strength"))
        at = body["at"]
        if not isinstance(at, str) or not _AT.match(at):
            raise _bad("$.envelope.body.at", *en_fa("at must be a UTC time YYYY-MM-DDTHH:MM:SSZ"))
        return cls(
            state=_choice(body, "state", HEARTBEAT_STATES),
            battery=_bounded(body, "battery", 0, 100, nullable=True),
            power=_choice(body, "power", POWER),
            link=link,
            signal_dbm=signal,
            queued=_bounded(body, "queued", 0, MAX_QUEUED) or 0,
            clock_offset_ms=_bounded(body, "clock_offset_ms", -MAX_CLOCK_OFFSET_MS, MAX_CLOCK_OFFSET_MS) or 0,
            interval_s=_bounded(body, "interval_s", *INTERVAL_S) or INTERVAL_S[0],
            at=at,
        )

    def document(self) -> dict[str, Any]:
        return {"state": self.state, "battery": self.battery, "power": self.power, "link": self.link,
                "signal_dbm": self.signal_dbm, "queued": self.queued, "clock_offset_ms": self.clock_offset_ms,
                "interval_s": self.interval_s, "at": self.at}
