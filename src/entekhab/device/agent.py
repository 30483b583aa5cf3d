"""The device agent: identity, enrolment, and the signed outbox to HQ that survives restarts.

Every message is first journaled (kind ``outbox``, its journal sequence number is the
message's sequence number) and only then sent; an ``ack`` entry records HQ's answer.
``sync`` re-sends every message without an ack, in order. If the device dies after HQ
stored a message but before the ack was journaled, the re-send is refused by HQ as a
replay *with the original answer attached*, which the agent records as the ack: nothing
is lost and nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entekhab.device.adapters.status import DemoDeviceStatus, DeviceStatus
from entekhab.device.errors import BranchClosed, DeviceError, HQUnreachable
from entekhab.device.hq_link import HQRefused, HttpTransport, Transport, call
from entekhab.device.journal import Journal
from entekhab.records.canonical import canonical_json
from entekhab.records.messages import Envelope
from entekhab.records.signing import SigningKey

ROLES = ("auth", "ebox")
CHECKIN_KINDS = ("checkin", "checkin_offline")
MESSAGE_PATH = "/api/v1/polling/messages"
ENROL_PATH = "/api/v1/polling/enrol"
# How often a device says it is alive (seconds of its clock; the demo's simulated time). HQ calls a
# device silent after hq.operations.policy.MISSED_HEARTBEATS of them.
HEARTBEAT_INTERVAL_S = 30


@dataclass(frozen=True)
class Delivery:
    """HQ's answer to one message, or ``None`` when it is queued for a later sync."""

    seq: int
    answer: dict[str, Any] | None

    @property
    def delivered(self) -> bool:
        return self.answer is not None


class DeviceAgent:
    """One device's state on disk (a journal file) and its line to HQ."""

    def __init__(self, path: Path | str, transport: Transport | None = None) -> None:
        self.journal = Journal(path)
        secret = self.journal.get("secret_key")
        if secret is None:
            raise DeviceError(
                "%(path)s is not an initialised device (run `entekhab device init`)",
                params={"path": path},
                code="not_initialised",
            )
        self.key = SigningKey.from_hex(secret)
        url = self.journal.get("hq_url")
        self.transport: Transport | None = transport or (HttpTransport(url) if url else None)
        self.status: DeviceStatus | None = None  # power and line for heartbeats (demo adapter if unset)

    @classmethod
    def initialise(cls, path: Path | str, *, serial: str, role: str, hq_url: str = "",
                   key: SigningKey | None = None, transport: Transport | None = None) -> DeviceAgent:
        """Make the device's key pair (once) and record its serial and role."""
        if role not in ROLES:
            raise DeviceError("role must be one of %(roles)s", params={"roles": ', '.join(ROLES)}, code="bad_role")
        serial = serial.strip()
        if not serial or len(serial) > 40:
            raise DeviceError("serial must be 1-40 characters", code="bad_serial")
        journal = Journal(path)
        if journal.get("secret_key"):
            journal.close()
            raise DeviceError("%(path)s already holds a device key", params={"path": path},
                              code="already_initialised")
        key = key or SigningKey.generate()
        with journal.transaction():  # a half-initialised device would hold a key and no record of it
            journal.put("secret_key", key.seed.hex())
            journal.put("public_key", key.public_hex)
            journal.put("serial", serial)
            journal.put("role", role)
            if hq_url:
                journal.put("hq_url", hq_url)
            journal.append("initialised", {"serial": serial, "role": role, "public_key": key.public_hex})
        journal.close()
        return cls(path, transport)

    # -- identity ----------------------------------------------------------------------
    def setting(self, name: str) -> str:
        value = self.journal.get(name)
        if value is None:
            raise DeviceError("the device has no %(name)s yet (enrol it first)", params={"name": name},
                              code="not_enrolled")
        return value

    @property
    def serial(self) -> str:
        return self.setting("serial")

    @property
    def role(self) -> str:
        return self.setting("role")

    @property
    def enrolled(self) -> bool:
        return self.journal.get("branch") is not None

    def _transport(self) -> Transport:
        if self.transport is None:
            raise DeviceError("no HQ address configured", code="no_hq")
        return self.transport

    def enrol(self, code: str) -> dict[str, Any]:
        """Bind this key to the serial, branch and election with HQ's one-time code."""
        claim = {"serial": self.serial, "role": self.role, "public_key": self.key.public_hex, "code": code.strip()}
        answer = call(self._transport(), ENROL_PATH, {**claim, "proof": self.key.sign_document(claim)})
        with self.journal.transaction():
            for name in ("election", "branch", "hq_public_key"):
                self.journal.put(name, str(answer[name]))
            self.journal.append("enrolled", {"election": answer["election"], "branch": answer["branch"]})
        return answer

    # -- closing -------------------------------------------------------------------------
    @property
    def closed(self) -> dict[str, Any] | None:
        """How this device learnt that its branch closed (``None`` while it is open)."""
        raw = self.journal.get("branch_closed")
        return json.loads(raw) if raw else None

    def mark_closed(self, *, source: str, **detail: Any) -> None:
        """Closing is final: recorded once, in the settings (fast to read) and in the chain (auditable)."""
        if self.closed is not None:
            return
        note = {"source": source, **detail}
        with self.journal.transaction():
            self.journal.append("branch_closed", note)
            self.journal.put("branch_closed", json.dumps(note, ensure_ascii=False))

    # -- messages ------------------------------------------------------------------------
    def send(self, kind: str, body: dict[str, Any], *, queue_if_offline: bool = True,
             with_outbox: Callable[[int], None] | None = None,
             with_answer: Callable[[int, dict[str, Any]], None] | None = None) -> Delivery:
        """Journal, sign and send one message; offline it stays queued (or is abandoned).

        After the close no new check-in leaves the device, only the record of a refused one
        (``body["refused"]``); queued ones from before the close are still synced.
        ``with_outbox(seq)`` runs in the transaction that queues the message, ``with_answer(seq,
        answer)`` in the one that journals HQ's answer: what the act does there commits with it or
        not at all.
        """
        if kind in CHECKIN_KINDS and self.closed is not None and not body.get("refused"):
            self.journal.append("checkin_refused", {"code": "branch_closed", "kind": kind})
            raise branch_closed_error(self.setting("branch"))
        with self.journal.transaction():  # the message is journaled whole before it leaves
            entry_seq = self.journal.append("outbox_pending", {"kind": kind}).seq
            envelope = Envelope(self.serial, self.setting("election"), self.setting("branch"), entry_seq, kind, body)
            signed = envelope.signed(self.key)
            self.journal.append("outbox", {"seq": entry_seq, "message": signed})
            if with_outbox is not None:
                with_outbox(entry_seq)
        try:
            return Delivery(entry_seq, self._deliver(entry_seq, signed, with_answer))
        except HQUnreachable:
            if not queue_if_offline:
                self.journal.append("abandoned", {"seq": entry_seq})
                raise
            return Delivery(entry_seq, None)

    def redeliver(self, seq: int, signed: dict[str, Any], *,
                  with_answer: Callable[[int, dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """Send a journaled message again (one a crash left unanswered); offline it is abandoned."""
        try:
            return self._deliver(seq, signed, with_answer)
        except HQUnreachable:
            self.journal.append("abandoned", {"seq": seq})
            raise

    def _deliver(self, seq: int, signed: dict[str, Any],
                 with_answer: Callable[[int, dict[str, Any]], None] | None = None) -> dict[str, Any]:
        try:
            answer = call(self._transport(), MESSAGE_PATH, signed)
        except HQRefused as refusal:
            if refusal.code == "replay" and isinstance(refusal.body.get("original"), dict):
                answer = refusal.body["original"]
            else:
                self.journal.append("ack", {"seq": seq, "refused": refusal.as_dict()})
                raise
        with self.journal.transaction():
            self.journal.append("ack", {"seq": seq, "answer": answer})
            if with_answer is not None:
                with_answer(seq, answer)
        return answer

    def pending(self) -> list[tuple[int, dict[str, Any]]]:
        done = {e.body["seq"] for e in self.journal.entries(kind="ack")}
        done |= {e.body["seq"] for e in self.journal.entries(kind="abandoned")}
        return [(e.body["seq"], e.body["message"]) for e in self.journal.entries(kind="outbox")
                if e.body["seq"] not in done]

    def sync(self) -> list[dict[str, Any]]:
        """Send every queued message in order; stop at the first network failure."""
        answers = []
        for seq, signed in self.pending():
            try:
                answers.append(self._deliver(seq, signed))
            except HQRefused as refusal:
                answers.append({"refused": refusal.as_dict()})
        return answers

    def answer_of(self, seq: int) -> dict[str, Any] | None:
        for e in self.journal.entries(kind="ack"):
            if e.body["seq"] == seq:
                return e.body.get("answer")
        return None

    def fingerprint(self) -> str:
        return canonical_json({"serial": self.serial, "key": self.key.public_hex}).decode()

    # -- heartbeats ------------------------------------------------------------------------
    def lifecycle_state(self) -> str:
        """The state a heartbeat reports: the e-box's own lifecycle, else enrolled / open / closed."""
        if self.closed is not None:
            return "closed"
        box_state = self.journal.get("box_state")
        if box_state:
            from entekhab.device.lifecycle import HEARTBEAT_WORD, BoxState

            return HEARTBEAT_WORD.get(BoxState(box_state), box_state)
        return "enrolled" if self.enrolled else "installed"

    def heartbeat(self, now: dt.datetime, *, status: DeviceStatus | None = None,
                  interval_s: int = HEARTBEAT_INTERVAL_S, force: bool = False) -> Delivery | None:
        """Send a signed heartbeat if one is due at ``now`` (``interval_s`` since the last); else ``None``.

        It goes through the same link and signing as every message, but is never queued: a
        heartbeat that cannot be sent is stale by the next one, and resending it later would
        tell HQ the device was heard when it was not. Its journal entry gives it a sequence
        number above every earlier message, which is HQ's replay barrier for heartbeats.
        """
        last = self.journal.get("heartbeat_at")
        if not force and last and now - dt.datetime.fromisoformat(last) < dt.timedelta(seconds=interval_s):
            return None
        if status is not None:
            self.status = status
        elif getattr(self, "status", None) is None:
            self.status = DemoDeviceStatus(self.serial)
        reading = self.status.read(now)
        body = {"state": self.lifecycle_state(), "battery": reading.battery, "power": reading.power,
                "link": reading.link, "signal_dbm": reading.signal_dbm, "queued": len(self.pending()),
                "clock_offset_ms": reading.clock_offset_ms, "interval_s": interval_s,
                "at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        with self.journal.transaction():
            seq = self.journal.append("heartbeat", {"queued": body["queued"]}).seq
            self.journal.put("heartbeat_at", now.isoformat())
        envelope = Envelope(self.serial, self.setting("election"), self.setting("branch"), seq, "heartbeat", body)
        try:
            return Delivery(seq, call(self._transport(), MESSAGE_PATH, envelope.signed(self.key)))
        except HQUnreachable:
            return Delivery(seq, None)

    def close(self) -> None:
        self.journal.close()


def branch_closed_error(branch: str) -> BranchClosed:
    return BranchClosed(
        "branch %(branch)s has closed: no more check-ins, no more ballot cards", params={"branch": branch}
    )


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
