"""The ballot card (*kart-e ta'rofe*): one-time, signed by the branch's authentication device.

It carries the election fingerprint, election, branch, ballot style, a random nonce and
the hour of issue, and nothing about the voter. The authentication device never journals
the nonce, so not even its own records tie a card to a check-in; the e-box keeps only a
hash of each used nonce, in a table that has no relation to where the vote is stored.
Token: ``base64url(canonical JSON) "." signature hex``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from dataclasses import dataclass

from entekhab.records.canonical import canonical_json, loads, sha256_hex
from entekhab.records.errors import CanonicalError, CardInvalid, SignatureInvalid
from entekhab.records.signing import SigningKey, verify

FIELDS = ("election", "fingerprint", "branch", "style", "nonce", "hour", "issuer")
MAX_TOKEN = 2048


@dataclass(frozen=True)
class BallotCard:
    election: str
    branch: str
    style: str
    nonce: str
    hour: str
    issuer: str
    fingerprint: str = ""

    def __post_init__(self) -> None:
        if len(self.nonce) != 64 or any(ch not in "0123456789abcdef" for ch in self.nonce):
            raise CardInvalid("card nonce must be 64 hex digits", path="$.nonce")
        for name in FIELDS:
            if not isinstance(getattr(self, name), str) or len(getattr(self, name)) > 128:
                raise CardInvalid("card %(name)s must be a short text", params={"name": name},
                                  path=f"$.{name}")

    def document(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}

    @property
    def nonce_hash(self) -> str:
        return sha256_hex(bytes.fromhex(self.nonce))


def coarse_hour(moment: dt.datetime) -> str:
    """The hour only: enough to audit a card's day, too coarse to single out a voter."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H")


def issue_card(*, election: str, branch: str, style: str, issuer: str, key: SigningKey, now: dt.datetime,
               fingerprint: str = "") -> str:
    """A signed card token."""
    card = BallotCard(election, branch, style, secrets.token_hex(32), coarse_hour(now), issuer, fingerprint)
    data = canonical_json(card.document())
    return base64.urlsafe_b64encode(data).decode().rstrip("=") + "." + key.sign(data).hex()


def read_card(token: object, issuer_public: bytes | str) -> BallotCard:
    """Parse and verify a card token, or refuse it with the reason."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > MAX_TOKEN:
        raise CardInvalid("this is not a ballot card")
    payload, signature = token.strip().split(".")
    try:
        data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        fields = loads(data)
        if not isinstance(fields, dict) or set(fields) != set(FIELDS):
            raise CardInvalid("the card has the wrong fields")
        card = BallotCard(**fields)
    except (binascii.Error, ValueError, TypeError) as exc:
        if isinstance(exc, CardInvalid):
            raise
        raise CardInvalid("the card cannot be read") from exc
    except CanonicalError as exc:  # pragma: no cover - CanonicalError is a ValueError
        raise CardInvalid("the card cannot be read") from exc
    try:
        verify(issuer_public, data, signature)
    except SignatureInvalid as exc:
        raise CardInvalid("the card is not signed by this branch's authentication device", code="card_forged") from exc
    return card
