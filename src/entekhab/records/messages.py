"""Signed device messages: what every request from a device to HQ looks like.

``{"envelope": {"device", "election", "branch", "seq", "kind", "body"}, "signature"}``.
The signature covers the canonical envelope, so HQ can check that the serial, branch,
election and sequence number were sent by the enrolled key; the sequence number makes
a resent message recognisable (a replay is refused, and the refusal carries the
original answer so that an honest retry learns its outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entekhab.i18n import en_fa
from entekhab.records.canonical import MAX_INT, canonical_json, sha256_hex
from entekhab.records.errors import RecordError
from entekhab.records.signing import SigningKey

KINDS = ("checkin", "checkin_offline", "branch_info", "branch_open", "branch_report", "journal_transfer")
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
