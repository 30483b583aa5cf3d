"""Ballots as vectors of slots, their encryption, trackers, and the device's signed statements.

A ballot style lists its slots and how many options each offers; a slot holds the index
of the chosen option (1…options) or 0 when empty.  One exponential-ElGamal ciphertext per
slot keeps a Tehran ballot at 22 ciphertexts whatever the number of candidates.

States: ``PlaintextBallot`` → ``EncryptedBallot`` (tracker shown to the voter) → either
``CastBallot`` (signed link in the device's chain; goes to the mix-net) or
``SpoiledBallot`` (Benaloh challenge: randomness revealed, signed, never counted, and on
purpose carrying no chain position).  At the end of the day the device signs a
``ClosingStatement`` (counts and last link), so nothing can be added or dropped later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NewType

from entekhab.crypto import encoding
from entekhab.crypto.elgamal import Ciphertext, DecodingTable, encrypt
from entekhab.crypto.errors import CryptoError, ProofError
from entekhab.crypto.group import SYSTEM_RANDOMNESS, Element, Randomness, Scalar, random_scalar
from entekhab.crypto.hash import Transcript
from entekhab.crypto.proofs import RandomnessProof
from entekhab.crypto.tracking import chain_link, chain_start, tracker
from entekhab.domain.ids import DeviceSerial
from entekhab.records import signing
from entekhab.records.errors import SignatureInvalid
from entekhab.records.signing import SigningKey

BallotId = NewType("BallotId", str)
"""32 lowercase hex digits drawn at random by the device: says nothing about position."""
StyleId = NewType("StyleId", str)

BALLOT_ID_BYTES = 16
MAX_SLOTS = 1000
MAX_OPTIONS = 10_000
"""Policy: slot indexes stay small so that decoding is a table lookup (table of MAX_OPTIONS+1)."""


class SignatureError(CryptoError):
    """A device signature that does not verify (or a key that cannot be read)."""

    code = "bad_signature"


@dataclass(frozen=True, slots=True)
class BallotStyle:
    """``options[k]`` options in slot ``k`` (index 0 means the slot is left empty).

    ``runs`` cuts the slots into contests, in order (default: one contest per slot).
    Inside a contest the order of the chosen options carries no meaning, so only the
    *canonical* order is allowed (strictly ascending, empty slots last): otherwise a
    coercer could demand an agreed order and recognise the ballot in the decoded output.
    """

    style_id: StyleId
    options: tuple[int, ...]
    runs: tuple[int, ...] = ()

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
        if not self.runs:
            object.__setattr__(self, "runs", (1,) * len(self.options))
        if any(r < 1 for r in self.runs) or sum(self.runs) != len(self.options):
            raise CryptoError(
                "ballot style %(style_id)s: contest runs must be positive and add up to %(width)s slots",
                params={"style_id": repr(self.style_id), "width": len(self.options)},
            )

    @property
    def width(self) -> int:
        return len(self.options)

    def check(self, selections: Sequence[int]) -> None:
        """Right number of slots, each index in range (canonical order is :meth:`canonical`'s job)."""
        if len(selections) != self.width:
            raise CryptoError(
                "style %(style_id)s has %(width)s slots, ballot has %(selections)s",
                params={"style_id": self.style_id, "width": self.width, "selections": len(selections)},
            )
        for k, (m, top) in enumerate(zip(selections, self.options, strict=True)):
            if not 0 <= m <= top:
                raise CryptoError("slot %(k)s: index %(m)s outside 0..%(top)s", params={"k": k, "m": m, "top": top})

    def canonical(self, selections: Sequence[int]) -> tuple[int, ...]:
        """The one allowed order: in each contest the chosen options ascending, empty slots last.

        An option named twice in one contest is refused, not merged: the screen never
        offers it, so it means a faulty or hostile caller.
        """
        self.check(selections)
        out: list[int] = []
        at = 0
        for contest, run in enumerate(self.runs):
            chosen = sorted(m for m in selections[at : at + run] if m)
            if len(set(chosen)) != len(chosen):
                raise CryptoError(
                    "contest %(contest)s names the same option twice", params={"contest": contest},
                )
            out.extend(chosen)
            out.extend([0] * (run - len(chosen)))
            at += run
        return tuple(out)

    def is_canonical(self, selections: Sequence[int]) -> bool:
        try:
            return self.canonical(selections) == tuple(selections)
        except CryptoError:
            return False

    def to_json(self) -> dict[str, object]:
        return {"id": self.style_id, "options": list(self.options), "runs": list(self.runs)}

    @staticmethod
    def from_json(value: object) -> BallotStyle:
        d = encoding.obj(value, "ballot style", ("id", "options", "runs"))
        options = encoding.array(d["options"], "ballot style options", MAX_SLOTS)
        runs = encoding.array(d["runs"], "ballot style runs", MAX_SLOTS)
        if not runs:
            raise encoding.EncodingError("ballot style runs must not be empty")
        return BallotStyle(
            StyleId(encoding.text(d["id"], "ballot style id")),
            tuple(encoding.integer(o, "ballot style options", 1, MAX_OPTIONS) for o in options),
            tuple(encoding.integer(r, "ballot style runs", 1, MAX_SLOTS) for r in runs),
        )


@dataclass(frozen=True, slots=True)
class PlaintextBallot:
    style: BallotStyle
    selections: tuple[int, ...]

    def __post_init__(self) -> None:
        self.style.check(self.selections)


def ballot_context(fingerprint: bytes, style: str, device: str, ballot_id: str) -> bytes:
    """What the randomness proof is bound to: a copied ciphertext fails under any other id or device."""
    return (
        Transcript("ballot-context")
        .bytes("fingerprint", fingerprint)
        .text("style", style)
        .text("device", device)
        .text("ballot", ballot_id)
        .digest()
    )


def _proof_from_json(value: object, width: int) -> RandomnessProof:
    d = encoding.obj(value, "ballot proof", ("c", "z"))
    zs = encoding.array(d["z"], "ballot proof responses", length=width)
    return RandomnessProof(Scalar.from_hex(d["c"]), tuple(Scalar.from_hex(z) for z in zs))


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    ballot_id: BallotId
    style_id: StyleId
    device: DeviceSerial
    slots: tuple[Ciphertext, ...]
    proof: RandomnessProof
    tracker: bytes

    def context(self, fingerprint: bytes) -> bytes:
        return ballot_context(fingerprint, self.style_id, self.device, self.ballot_id)

    def compute_tracker(self, fingerprint: bytes) -> bytes:
        return tracker(fingerprint, self.ballot_id, self.style_id, self.device, self.slots, self.proof)

    def verify(self, fingerprint: bytes) -> None:
        """Check the randomness proof and that the tracker is this ballot's."""
        self.proof.verify(self.slots, self.context(fingerprint))
        if self.compute_tracker(fingerprint) != self.tracker:
            raise ProofError("tracking code does not match the ballot")

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.ballot_id,
            "style": self.style_id,
            "device": self.device,
            "slots": [c.to_json() for c in self.slots],
            "proof": self.proof.to_json(),
            "tracker": self.tracker.hex(),
        }

    @staticmethod
    def from_json(value: object) -> EncryptedBallot:
        d = encoding.obj(value, "ballot", ("id", "style", "device", "slots", "proof", "tracker"))
        slots = encoding.array(d["slots"], "ballot slots", MAX_SLOTS)
        return EncryptedBallot(
            ballot_id=BallotId(encoding.hex_bytes(d["id"], BALLOT_ID_BYTES, "ballot id").hex()),
            style_id=StyleId(encoding.text(d["style"], "ballot style")),
            device=DeviceSerial(encoding.text(d["device"], "ballot device")),
            slots=tuple(Ciphertext.from_json(s) for s in slots),
            proof=_proof_from_json(d["proof"], len(slots)),
            tracker=encoding.hex_bytes(d["tracker"], 32, "ballot tracker"),
        )


def _verify_signature(device_key: bytes | str, statement: Mapping[str, Any], signature: bytes, msgid: str,
                      device: str) -> None:
    try:
        signing.verify(device_key, encoding.dumps(statement), signature)
    except SignatureInvalid as exc:
        raise SignatureError(msgid, params={"device": device}) from exc


def cast_statement(fingerprint: bytes, ballot: EncryptedBallot, sequence: int, previous: bytes,
                   link: bytes) -> dict[str, object]:
    return {
        "kind": "cast",
        "fingerprint": fingerprint.hex(),
        "device": ballot.device,
        "seq": sequence,
        "tracker": ballot.tracker.hex(),
        "prev": previous.hex(),
        "link": link.hex(),
    }


@dataclass(frozen=True, slots=True)
class CastBallot:
    """A cast ballot as the device signed it: its place ``sequence`` in the device's chain."""

    ballot: EncryptedBallot
    sequence: int
    previous: bytes
    link: bytes
    signature: bytes

    @property
    def device(self) -> DeviceSerial:
        return self.ballot.device

    def statement(self, fingerprint: bytes) -> dict[str, object]:
        return cast_statement(fingerprint, self.ballot, self.sequence, self.previous, self.link)

    def verify_signature(self, fingerprint: bytes, device_key: bytes | str) -> None:
        _verify_signature(device_key, self.statement(fingerprint), self.signature,
                          "device %(device)s did not sign this cast ballot", self.device)

    def verify(self, fingerprint: bytes, device_key: bytes | str) -> None:
        """Everything one line can show alone: proof, tracker, own link, signature."""
        self.ballot.verify(fingerprint)
        if chain_link(self.previous, self.ballot.tracker) != self.link:
            raise ProofError("the chain link is not the hash of the previous link and the tracker")
        self.verify_signature(fingerprint, device_key)

    def to_json(self) -> dict[str, object]:
        return {
            "ballot": self.ballot.to_json(),
            "seq": self.sequence,
            "prev": self.previous.hex(),
            "link": self.link.hex(),
            "sig": self.signature.hex(),
        }

    @staticmethod
    def from_json(value: object) -> CastBallot:
        d = encoding.obj(value, "cast ballot", ("ballot", "seq", "prev", "link", "sig"))
        return CastBallot(
            EncryptedBallot.from_json(d["ballot"]),
            encoding.integer(d["seq"], "cast ballot seq", 1),
            encoding.hex_bytes(d["prev"], 32, "cast ballot prev"),
            encoding.hex_bytes(d["link"], 32, "cast ballot link"),
            encoding.hex_bytes(d["sig"], signing.SIGNATURE_BYTES, "cast ballot sig"),
        )


def spoiled_statement(fingerprint: bytes, ballot: EncryptedBallot) -> dict[str, object]:
    """No sequence, no link: nothing in it says which cast ballot came next."""
    return {"kind": "spoiled", "fingerprint": fingerprint.hex(), "device": ballot.device,
            "tracker": ballot.tracker.hex()}


@dataclass(frozen=True, slots=True)
class SpoiledBallot:
    """A challenged ballot: its selections and randomness are published; never counted."""

    ballot: EncryptedBallot
    selections: tuple[int, ...]
    nonces: tuple[Scalar, ...]
    signature: bytes

    @property
    def device(self) -> DeviceSerial:
        return self.ballot.device

    def statement(self, fingerprint: bytes) -> dict[str, object]:
        return spoiled_statement(fingerprint, self.ballot)

    def verify_signature(self, fingerprint: bytes, device_key: bytes | str) -> None:
        _verify_signature(device_key, self.statement(fingerprint), self.signature,
                          "device %(device)s did not sign this spoiled ballot", self.device)

    def check_reveal(self, style: BallotStyle, public_key: Element, table: DecodingTable) -> None:
        """The revealed canonical selections and nonces re-encrypt to exactly the published slots."""
        if style.style_id != self.ballot.style_id:
            raise CryptoError("spoiled ballot is style %(style_id)s", params={"style_id": self.ballot.style_id})
        style.check(self.selections)
        if not style.is_canonical(self.selections):
            raise ProofError("spoiled ballot's selections are not in canonical order")
        if not len(self.nonces) == len(self.ballot.slots) == style.width:
            raise ProofError("spoiled ballot reveals the wrong number of nonces")
        for k, (m, r, c) in enumerate(zip(self.selections, self.nonces, self.ballot.slots, strict=True)):
            if encrypt(m, public_key, r, table) != c:
                raise ProofError(
                    "slot %(k)s does not encrypt the revealed selection %(m)s", params={"k": k, "m": m},
                )

    def verify(self, fingerprint: bytes, device_key: bytes | str, style: BallotStyle, public_key: Element,
               table: DecodingTable) -> None:
        self.ballot.verify(fingerprint)
        self.verify_signature(fingerprint, device_key)
        self.check_reveal(style, public_key, table)

    def to_json(self) -> dict[str, object]:
        return {
            "ballot": self.ballot.to_json(),
            "selections": list(self.selections),
            "nonces": [r.hex() for r in self.nonces],
            "sig": self.signature.hex(),
        }

    @staticmethod
    def from_json(value: object) -> SpoiledBallot:
        d = encoding.obj(value, "spoiled ballot", ("ballot", "selections", "nonces", "sig"))
        sel = encoding.array(d["selections"], "spoiled ballot selections", MAX_SLOTS)
        nonces = encoding.array(d["nonces"], "spoiled ballot nonces", MAX_SLOTS)
        return SpoiledBallot(
            EncryptedBallot.from_json(d["ballot"]),
            tuple(encoding.integer(m, "spoiled ballot selections", 0, MAX_OPTIONS) for m in sel),
            tuple(Scalar.from_hex(r) for r in nonces),
            encoding.hex_bytes(d["sig"], signing.SIGNATURE_BYTES, "spoiled ballot sig"),
        )


@dataclass(frozen=True, slots=True)
class ClosingStatement:
    """The device's last word: how many ballots it cast and spoiled, and its chain's last link."""

    device: DeviceSerial
    cast: int
    spoiled: int
    last: bytes
    signature: bytes

    def statement(self, fingerprint: bytes) -> dict[str, object]:
        return {"kind": "closing", "fingerprint": fingerprint.hex(), "device": self.device, "cast": self.cast,
                "spoiled": self.spoiled, "last": self.last.hex()}

    def verify(self, fingerprint: bytes, device_key: bytes | str) -> None:
        _verify_signature(device_key, self.statement(fingerprint), self.signature,
                          "device %(device)s did not sign this closing statement", self.device)

    def to_json(self) -> dict[str, object]:
        return {"device": self.device, "cast": self.cast, "spoiled": self.spoiled, "last": self.last.hex(),
                "sig": self.signature.hex()}

    @staticmethod
    def from_json(value: object) -> ClosingStatement:
        d = encoding.obj(value, "closing statement", ("device", "cast", "spoiled", "last", "sig"))
        return ClosingStatement(
            DeviceSerial(encoding.text(d["device"], "closing statement device")),
            encoding.integer(d["cast"], "closing statement cast"),
            encoding.integer(d["spoiled"], "closing statement spoiled"),
            encoding.hex_bytes(d["last"], 32, "closing statement last"),
            encoding.hex_bytes(d["sig"], signing.SIGNATURE_BYTES, "closing statement sig"),
        )


class BallotDevice:
    """An e-box's encryptor and signer: every ballot it makes is cast once, spoiled once, or dropped.

    The chain covers cast ballots only; spoiled ballots are signed alone so that their
    publication reveals nothing about the voter's next (cast) ballot.
    """

    def __init__(
        self,
        fingerprint: bytes,
        device_serial: str,
        public_key: Element,
        table: DecodingTable,
        signing_key: SigningKey,
        rng: Randomness | None = None,
    ) -> None:
        self.fingerprint = fingerprint
        self.device = DeviceSerial(device_serial)
        self.public_key = public_key
        self.table = table
        self.signing_key = signing_key
        self.rng = rng
        self.cast_count = 0
        self.spoiled_count = 0
        self.head = chain_start(fingerprint, device_serial)
        self.closed = False
        self._pending: dict[str, tuple[EncryptedBallot, BallotStyle]] = {}
        self._decided: set[str] = set()

    def _open(self) -> None:
        if self.closed:
            raise CryptoError("device %(device)s is closed", params={"device": self.device})

    def _sign(self, statement: Mapping[str, Any]) -> bytes:
        return self.signing_key.sign(encoding.dumps(statement))

    def encrypt(self, plain: PlaintextBallot) -> tuple[EncryptedBallot, tuple[Scalar, ...]]:
        """Encrypt and prove; the tracker is shown before the voter casts or challenges."""
        self._open()
        style = plain.style
        if not style.is_canonical(plain.selections):
            raise CryptoError("the selections are not in canonical order (use the style's canonical form)")
        rng = self.rng or SYSTEM_RANDOMNESS
        ballot_id = BallotId(rng.bytes64()[:BALLOT_ID_BYTES].hex())
        nonces = tuple(random_scalar(self.rng) for _ in plain.selections)
        slots = tuple(
            encrypt(m, self.public_key, r, self.table) for m, r in zip(plain.selections, nonces, strict=True)
        )
        ctx = ballot_context(self.fingerprint, style.style_id, self.device, ballot_id)
        proof = RandomnessProof.prove(slots, nonces, ctx, self.rng)
        code = tracker(self.fingerprint, ballot_id, style.style_id, self.device, slots, proof)
        enc = EncryptedBallot(ballot_id, style.style_id, self.device, slots, proof, code)
        self._pending[ballot_id] = (enc, style)
        return enc, nonces

    def _take(self, ballot: EncryptedBallot) -> BallotStyle:
        self._open()
        pending = self._pending.get(ballot.ballot_id)
        if pending is None or pending[0] != ballot:
            if ballot.ballot_id in self._decided:
                raise CryptoError("ballot %(ballot)s was already cast or spoiled", params={"ballot": ballot.ballot_id})
            raise CryptoError("ballot %(ballot)s was not encrypted by this device", params={"ballot": ballot.ballot_id})
        return pending[1]

    def _done(self, ballot: EncryptedBallot) -> None:
        del self._pending[ballot.ballot_id]
        self._decided.add(ballot.ballot_id)

    def cast(self, ballot: EncryptedBallot) -> CastBallot:
        """Append to the chain and sign: seq, previous link, link = H(previous, tracker)."""
        self._take(ballot)
        seq = self.cast_count + 1
        link = chain_link(self.head, ballot.tracker)
        sig = self._sign(cast_statement(self.fingerprint, ballot, seq, self.head, link))
        out = CastBallot(ballot, seq, self.head, link, sig)
        self._done(ballot)
        self.cast_count, self.head = seq, link
        return out

    def spoil(self, ballot: EncryptedBallot, nonces: Sequence[Scalar], selections: Sequence[int]) -> SpoiledBallot:
        """Reveal for a Benaloh challenge; refuses a reveal that does not match the ballot."""
        style = self._take(ballot)
        unsigned = SpoiledBallot(ballot, tuple(selections), tuple(nonces), b"")
        unsigned.check_reveal(style, self.public_key, self.table)
        out = SpoiledBallot(ballot, unsigned.selections, unsigned.nonces,
                            self._sign(spoiled_statement(self.fingerprint, ballot)))
        self._done(ballot)
        self.spoiled_count += 1
        return out

    def close(self) -> ClosingStatement:
        """Sign the counts and last link; afterwards the device makes no more ballots."""
        self._open()
        self.closed = True
        self._pending.clear()
        unsigned = ClosingStatement(self.device, self.cast_count, self.spoiled_count, self.head, b"")
        return ClosingStatement(self.device, self.cast_count, self.spoiled_count, self.head,
                                self._sign(unsigned.statement(self.fingerprint)))
