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

from entekhab.device.errors import DeviceError
from entekhab.device.signing import SigningKey, canonical_json, sha256_hex

KINDS = ("checkin", "checkin_offline", "branch_info", "branch_open", "branch_report", "journal_transfer")


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
            raise DeviceError(f"unknown message kind {self.kind!r}", "نوع پیام ناشناخته است", code="bad_message")
        if isinstance(self.seq, bool) or not isinstance(self.seq, int) or self.seq < 1:
            raise DeviceError("sequence number must be a positive integer", "شماره ترتیب پیام نادرست است",
                              code="bad_message")
        for name in ("device", "election", "branch"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value or len(value) > 64:
                raise DeviceError(f"{name} must be a short text", f"فیلد {name} نادرست است", code="bad_message")
        if not isinstance(self.body, dict):
            raise DeviceError("body must be an object", "بدنه پیام نادرست است", code="bad_message")

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
            raise DeviceError("envelope must be an object", "پاکت پیام نادرست است", code="bad_message")
        try:
            return cls(document["device"], document["election"], document["branch"], document["seq"],
                       document["kind"], document["body"])
        except KeyError as exc:
            raise DeviceError(f"envelope lacks {exc}", "پاکت پیام ناقص است", code="bad_message") from exc
