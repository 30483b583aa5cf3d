"""Ballots as vectors of slots, their encryption, tracking codes and Benaloh challenges.

A ballot style lists its slots and how many options each offers; a slot holds the index
of the chosen option (1…options) or 0 when empty.  One exponential-ElGamal ciphertext per
slot keeps a Tehran ballot at 22 ciphertexts whatever the number of candidates.

States: ``PlaintextBallot`` → ``EncryptedBallot`` (tracking code shown) → either cast
(goes to the mix-net) or ``SpoiledBallot`` (randomness revealed, checked, never counted).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NewType

from entekhab.crypto.elgamal import Ciphertext, DecodingTable, encrypt
from entekhab.crypto.errors import CryptoError, ProofError
from entekhab.crypto.group import Element, Randomness, Scalar, random_scalar
from entekhab.crypto.proofs import RandomnessProof
from entekhab.crypto.tracking import chain_start, next_code
from entekhab.domain.ids import DeviceSerial

BallotId = NewType("BallotId", str)
StyleId = NewType("StyleId", str)


MAX_SLOTS = 1000
MAX_OPTIONS = 10_000
"""Policy: slot indexes stay small so that decoding is a table lookup (table of MAX_OPTIONS+1)."""


@dataclass(frozen=True, slots=True)
class BallotStyle:
    """``options[k]`` options in slot ``k`` (index 0 means the slot is left empty)."""

    style_id: StyleId
    options: tuple[int, ...]

    def __post_init__(self) -> None:
        if (
            not self.style_id
            or not 1 <= len(self.options) <= MAX_SLOTS
            or any(not 1 <= o <= MAX_OPTIONS for o in self.options)
        ):
            raise CryptoError(
                "ballot style %(style_id)s needs 1..%(max_slots)s slots of 1..%(max_options)s options",
                params={"style_id": repr(self.style_id), "max_slots": MAX_SLOTS, "max_options": MAX_OPTIONS},
            )

    @property
    def width(self) -> int:
        return len(self.options)

    def check(self, selections: Sequence[int]) -> None:
        if len(selections) != self.width:
            raise CryptoError(
                "style %(style_id)s has %(width)s slots, ballot has %(selections)s",
                params={"style_id": self.style_id, "width": self.width, "selections": len(selections)},
            )
        for k, (m, top) in enumerate(zip(selections, self.options, strict=True)):
            if not 0 <= m <= top:
                raise CryptoError("slot %(k)s: index %(m)s outside 0..%(top)s", params={"k": k, "m": m, "top": top})

    def to_json(self) -> dict[str, object]:
        return {"id": self.style_id, "options": list(self.options)}


@dataclass(frozen=True, slots=True)
class PlaintextBallot:
    style: BallotStyle
    selections: tuple[int, ...]

    def __post_init__(self) -> None:
        self.style.check(self.selections)


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    ballot_id: BallotId
    style_id: StyleId
    device: DeviceSerial
    sequence: int
    previous_code: bytes
    slots: tuple[Ciphertext, ...]
    proof: RandomnessProof
    tracking_code: bytes

    def context(self, election: bytes) -> bytes:
        return ballot_context(election, self.style_id, self.device, self.sequence, self.previous_code)

    def digest(self) -> bytes:
        return ballot_digest(self.ballot_id, self.style_id, self.device, self.sequence, self.slots, self.proof)

    def verify(self, election: bytes) -> None:
        """Check the randomness proof and that the tracking code is this ballot's."""
        self.proof.verify(self.slots, self.context(election))
        if next_code(self.previous_code, self.digest()) != self.tracking_code:
            raise ProofError("tracking code does not match the ballot")

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.ballot_id,
            "style": self.style_id,
            "device": self.device,
            "seq": self.sequence,
            "prev": self.previous_code.hex(),
            "slots": [c.to_json() for c in self.slots],
            "proof": self.proof.to_json(),
            "code": self.tracking_code.hex(),
        }

    @staticmethod
    def from_json(d: dict[str, object]) -> EncryptedBallot:
        try:
            slots = d["slots"]
            if not isinstance(slots, list):
                raise CryptoError("slots is not a list")
            seq = d["seq"]
            if not isinstance(seq, int):
                raise CryptoError("seq is not an integer")
            return EncryptedBallot(
                ballot_id=BallotId(str(d["id"])),
                style_id=StyleId(str(d["style"])),
                device=DeviceSerial(str(d["device"])),
                sequence=seq,
                previous_code=bytes.fromhex(str(d["prev"])),
                slots=tuple(Ciphertext.from_json(s) for s in slots),
                proof=RandomnessProof.from_json(d["proof"]),  # type: ignore[arg-type]
                tracking_code=bytes.fromhex(str(d["code"])),
            )
        except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
            raise CryptoError("malformed ballot: %(exc)s", params={"exc": exc}) from exc


def ballot_context(election: bytes, style: str, device: str, sequence: int, previous: bytes) -> bytes:
    return b"\x00".join((b"ballot", election, style.encode(), device.encode(), str(sequence).encode(), previous))


def ballot_digest(
    ballot_id: str,
    style: str,
    device: str,
    sequence: int,
    slots: Sequence[Ciphertext],
    proof: RandomnessProof,
) -> bytes:
    h = hashlib.sha256(b"entekhab/v1/ballot\x00")
    for part in (ballot_id, style, device, str(sequence)):
        h.update(part.encode() + b"\x00")
    for c in slots:
        h.update(c.alpha.b + c.beta.b)
    h.update(proof.challenge.encode() + b"".join(z.encode() for z in proof.responses))
    return h.digest()


@dataclass(frozen=True, slots=True)
class SpoiledBallot:
    """A challenged ballot: its selections and randomness are published; never counted."""

    ballot: EncryptedBallot
    selections: tuple[int, ...]
    nonces: tuple[Scalar, ...]

    def verify(self, election: bytes, style: BallotStyle, public_key: Element, table: DecodingTable) -> None:
        self.ballot.verify(election)
        style.check(self.selections)
        if len(self.nonces) != len(self.ballot.slots):
            raise ProofError("spoiled ballot reveals the wrong number of nonces")
        for k, (m, r, c) in enumerate(zip(self.selections, self.nonces, self.ballot.slots, strict=True)):
            if encrypt(m, public_key, r, table) != c:
                raise ProofError(
                    "slot %(k)s does not encrypt the revealed selection %(m)s", params={"k": k, "m": m},
                )

    def to_json(self) -> dict[str, object]:
        return {
            "ballot": self.ballot.to_json(),
            "selections": list(self.selections),
            "nonces": [r.hex() for r in self.nonces],
        }

    @staticmethod
    def from_json(d: dict[str, object]) -> SpoiledBallot:
        try:
            sel = d["selections"]
            nonces = d["nonces"]
            if not isinstance(sel, list) or not isinstance(nonces, list):
                raise CryptoError("selections/nonces not lists")
            return SpoiledBallot(
                EncryptedBallot.from_json(d["ballot"]),  # type: ignore[arg-type]
                tuple(int(m) for m in sel),
                tuple(Scalar.from_hex(str(r)) for r in nonces),
            )
        except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
            raise CryptoError("malformed spoiled ballot: %(exc)s", params={"exc": exc}) from exc


class BallotDevice:
    """An e-box's encryptor: numbers ballots and extends the device's tracking chain."""

    def __init__(
        self,
        election: bytes,
        device: str,
        public_key: Element,
        table: DecodingTable,
        rng: Randomness | None = None,
    ) -> None:
        self.election = election
        self.device = DeviceSerial(device)
        self.public_key = public_key
        self.table = table
        self.rng = rng
        self.sequence = 0
        self.head = chain_start(election, device)

    def encrypt(self, ballot: PlaintextBallot) -> tuple[EncryptedBallot, tuple[Scalar, ...]]:
        """Encrypt, prove, and chain; returns the nonces for a possible Benaloh challenge."""
        self.sequence += 1
        style = ballot.style.style_id
        nonces = tuple(random_scalar(self.rng) for _ in ballot.selections)
        slots = tuple(
            encrypt(m, self.public_key, r, self.table) for m, r in zip(ballot.selections, nonces, strict=True)
        )
        ctx = ballot_context(self.election, style, self.device, self.sequence, self.head)
        proof = RandomnessProof.prove(slots, nonces, ctx, self.rng)
        ballot_id = BallotId(f"{self.device}-{self.sequence:06d}")
        digest = ballot_digest(ballot_id, style, self.device, self.sequence, slots, proof)
        code = next_code(self.head, digest)
        enc = EncryptedBallot(ballot_id, style, self.device, self.sequence, self.head, slots, proof, code)
        self.head = code
        return enc, nonces
