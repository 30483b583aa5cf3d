"""The ballot card (کارت تعرفه): one-time, signed by the branch's authentication device.

It carries the election, branch, ballot style, a random nonce and the hour of issue,
and nothing about the voter. The authentication device never journals the nonce, so
not even its own records tie a card to a check-in; the e-box keeps only a hash of each
used nonce, in a table that has no relation to where the vote is stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from dataclasses import dataclass

from entekhab.device.errors import CardRefused, SignatureInvalid
from entekhab.device.signing import SigningKey, canonical_json, sha256_hex, verify


@dataclass(frozen=True)
class BallotCard:
    election: str
    branch: str
    style: str
    nonce: str
    hour: str
    issuer: str

    def __post_init__(self) -> None:
        if len(self.nonce) != 64 or any(ch not in "0123456789abcdef" for ch in self.nonce):
            raise CardRefused("card nonce must be 64 hex digits", "شناسه تصادفی کارت نادرست است")

    def document(self) -> dict[str, str]:
        return {"election": self.election, "branch": self.branch, "style": self.style,
                "nonce": self.nonce, "hour": self.hour, "issuer": self.issuer}

    @property
    def nonce_hash(self) -> str:
        return sha256_hex(bytes.fromhex(self.nonce))


def coarse_hour(moment: dt.datetime) -> str:
    """The hour only: enough to audit a card's day, too coarse to single out a voter."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H")


def issue_card(*, election: str, branch: str, style: str, issuer: str, key: SigningKey,
               now: dt.datetime) -> str:
    """A signed card token: base64url(canonical JSON) '.' signature hex."""
    card = BallotCard(election, branch, style, secrets.token_hex(32), coarse_hour(now), issuer)
    data = canonical_json(card.document())
    return base64.urlsafe_b64encode(data).decode().rstrip("=") + "." + key.sign(data).hex()


def read_card(token: object, issuer_public: bytes) -> BallotCard:
    """Parse and verify a card token, or refuse it with the reason."""
    if not isinstance(token, str) or token.count(".") != 1:
        raise CardRefused("this is not a ballot card", "این کارت، کارت تعرفه نیست")
    payload, signature = token.strip().split(".")
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        fields = json.loads(data)
        card = BallotCard(**{k: str(fields[k]) for k in ("election", "branch", "style", "nonce", "hour", "issuer")})
    except (ValueError, KeyError, TypeError) as exc:
        raise CardRefused("the card cannot be read", "کارت خوانده نمی‌شود") from exc
    try:
        verify(issuer_public, data, signature)
    except SignatureInvalid as exc:
        raise CardRefused("the card is not signed by this branch's authentication device",
                          "کارت امضای دستگاه احراز هویت این شعبه را ندارد", code="card_forged") from exc
    return card
