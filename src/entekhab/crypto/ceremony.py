"""The key ceremony's public documents: the opening, the signed messages of each round, the transcript.

Why signed messages: a complaint, a share or an answer that anyone could write lets anyone
disqualify anyone (the audit's attack). Every message is signed by its author's long-term
Ed25519 key named in the :class:`CeremonyOpening`, over the canonical bytes of
``{"kind": ..., "base": base.hex(), ...fields}``; so a message cannot be forged, moved to
another election (``base`` differs) or reused as a message of another round (``kind``
differs), and its author cannot later deny it.

Rounds (see :mod:`entekhab.crypto.keyceremony` for the rules that judge them):

1. ``CommitMessage``: a digest of the coming reveal (commit-then-reveal, so the last
   dealer cannot choose its polynomial after seeing the others': no grinding of the key).
2. ``RevealMessage``: the k commitments ``g^{a_j}``, a Schnorr proof for every ``a_j``, the
   share-encryption key ``E = g^e`` with its proof, and the salt of the round-1 digest.
3. ``SharesMessage``: ``f_i(l)`` for every other recipient, as hashed ElGamal to ``E_l``:
   ``(g^r, f_i(l) + H(E_l^r, ...))``: public ciphertexts, so the record can hold them.
4. ``ComplaintMessage``: the accuser names the accused and the digest of the exact share.
5. ``AnswerMessage``: the accused reveals that share publicly.
6. ``Acceptance``: a board signs (qualified set, joint key, base) when not all n qualified.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, TypeVar

from entekhab.crypto import encoding as enc
from entekhab.crypto.errors import CeremonyError, CryptoError, RecordError
from entekhab.crypto.group import SYSTEM_RANDOMNESS, Element, Randomness, Scalar, g_pow, random_scalar
from entekhab.crypto.hash import Transcript
from entekhab.crypto.proofs import SchnorrProof
from entekhab.records import signing
from entekhab.records.errors import RecordError as SigningError

MAX_GUARDIANS = 1000
"""Policy: an upper bound that keeps a hostile record from asking for absurd work."""
MAX_BOARDS = 16
KIND = "entekhab-ceremony/"
OPENING_KIND = "entekhab-ceremony-opening/1"
TRANSCRIPT_KIND = "entekhab-ceremony-transcript/1"


def validate_parameters(guardians: int, quorum: int) -> None:
    if type(guardians) is not int or not 1 <= guardians <= MAX_GUARDIANS:
        raise CeremonyError(
            "number of guardians must be between 1 and %(max_guardians)s, got %(guardians)s",
            params={"max_guardians": MAX_GUARDIANS, "guardians": guardians},
        )
    if type(quorum) is not int or not 1 <= quorum <= guardians:
        raise CeremonyError(
            "quorum must be between 1 and the number of guardians (%(guardians)s), got %(quorum)s",
            params={"guardians": guardians, "quorum": quorum},
        )


def signature_valid(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Ed25519 verification as a yes/no (the checker locates the failure itself)."""
    try:
        signing.verify(public_key, message, signature)
    except SigningError:
        return False
    return True


@dataclass(frozen=True)
class CeremonyOpening:
    """Who takes part, fixed before the ceremony and hashed into ``base`` (it is in election.json)."""

    guardians: int
    quorum: int
    guardian_keys: tuple[bytes, ...]
    """Ed25519 public key of guardian ``i`` at index ``i - 1``."""
    board_keys: tuple[bytes, ...]
    """The boards whose acceptance a ceremony with fewer than n qualified guardians needs."""

    def __post_init__(self) -> None:
        validate_parameters(self.guardians, self.quorum)
        keys = (*self.guardian_keys, *self.board_keys)
        if len(self.board_keys) > MAX_BOARDS:
            raise CeremonyError("the opening names %(boards)s boards, at most %(max_boards)s are allowed",
                                params={"boards": len(self.board_keys), "max_boards": MAX_BOARDS})
        if len(self.guardian_keys) != self.guardians:
            raise CeremonyError(
                "the opening names %(keys)s guardian keys for %(guardians)s guardians",
                params={"keys": len(self.guardian_keys), "guardians": self.guardians},
            )
        if any(not isinstance(k, bytes) or len(k) != signing.PUBLIC_KEY_BYTES for k in keys) or len(set(keys)) != len(
            keys
        ):
            raise CeremonyError("the opening's public keys must be distinct 32-byte Ed25519 keys")

    def guardian_key(self, guardian: int) -> bytes:
        return self.guardian_keys[guardian - 1]

    def to_json(self) -> dict[str, object]:
        return {
            "kind": OPENING_KIND,
            "guardians": self.guardians,
            "quorum": self.quorum,
            "guardian_keys": {str(i): k.hex() for i, k in enumerate(self.guardian_keys, start=1)},
            "board_keys": [k.hex() for k in self.board_keys],
        }

    @staticmethod
    def from_json(value: object) -> CeremonyOpening:
        d = enc.obj(value, "ceremony opening", ("kind", "guardians", "quorum", "guardian_keys", "board_keys"))
        enc.text(d["kind"], "ceremony opening kind", allowed=(OPENING_KIND,))
        n = enc.integer(d["guardians"], "guardians", 1, MAX_GUARDIANS)
        k = enc.integer(d["quorum"], "quorum", 1, n)
        names = [str(i) for i in range(1, n + 1)]
        gk = enc.obj(d["guardian_keys"], "guardian_keys", names)
        boards = enc.array(d["board_keys"], "board_keys", MAX_BOARDS)
        return CeremonyOpening(
            n,
            k,
            tuple(enc.hex_bytes(gk[i], 32, f"guardian {i}'s key") for i in names),
            tuple(enc.hex_bytes(b, 32, "board key") for b in boards),
        )


# ---- contexts and digests -------------------------------------------------------------


def _context(kind: str, base: bytes, **fields: object) -> bytes:
    return enc.dumps({"kind": KIND + kind, "base": base.hex(), **fields})


def coefficient_context(base: bytes, guardian: int, j: int) -> bytes:
    """The Schnorr context of coefficient ``j``: a proof cannot move to another guardian, slot or election."""
    return _context("coefficient-proof", base, guardian=guardian, j=j)


def encryption_key_context(base: bytes, guardian: int) -> bytes:
    return _context("encryption-key-proof", base, guardian=guardian)


def reveal_digest(base: bytes, guardian: int, coefficients: Sequence[Element], key: Element, salt: bytes) -> bytes:
    """What round 1 commits to; the salt keeps the digest hiding even for guessable values."""
    return hashlib.sha256(
        _context(
            "reveal-digest", base, guardian=guardian, coefficients=[c.hex() for c in coefficients],
            encryption_key=key.hex(), salt=salt.hex(),
        )
    ).digest()


# ---- hashed ElGamal for shares ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    """``f_dealer(recipient)`` encrypted to the recipient's share-encryption key."""

    recipient: int
    ephemeral: Element
    masked: Scalar

    def to_json(self) -> dict[str, object]:
        return {"recipient": self.recipient, "ephemeral": self.ephemeral.hex(), "masked": self.masked.hex()}

    @staticmethod
    def from_json(value: object) -> EncryptedShare:
        d = enc.obj(value, "encrypted share", ("recipient", "ephemeral", "masked"))
        return EncryptedShare(
            enc.integer(d["recipient"], "recipient"), Element.from_hex(d["ephemeral"]), Scalar.from_hex(d["masked"])
        )


def _mask(base: bytes, dealer: int, recipient: int, ephemeral: Element, shared: Element) -> Scalar:
    return (
        Transcript("ceremony-share-mask")
        .bytes("base", base)
        .text("dealer", str(dealer))
        .text("recipient", str(recipient))
        .element("ephemeral", ephemeral)
        .element("shared", shared)
        .challenge()
    )


def encrypt_share(
    base: bytes, dealer: int, recipient: int, key: Element, share: Scalar, rng: Randomness | None = None
) -> EncryptedShare:
    r = random_scalar(rng)
    ephemeral = g_pow(r)
    return EncryptedShare(recipient, ephemeral, share + _mask(base, dealer, recipient, ephemeral, key**r))


def decrypt_share(base: bytes, dealer: int, share: EncryptedShare, secret: Scalar) -> Scalar:
    return share.masked - _mask(base, dealer, share.recipient, share.ephemeral, share.ephemeral**secret)


def share_digest(base: bytes, dealer: int, share: EncryptedShare) -> bytes:
    """How a complaint names the exact ciphertext it is about."""
    return hashlib.sha256(_context("share-digest", base, dealer=dealer, **share.to_json())).digest()


# ---- signed messages ---------------------------------------------------------------------

M = TypeVar("M", bound="Signed")


class Signed(ABC):
    """A message of one round: its fields (``body``) and its author's signature over them."""

    kind: ClassVar[str] = ""
    round: ClassVar[int] = 0
    signer_field: ClassVar[str] = "guardian"
    signature: bytes

    @abstractmethod
    def body(self) -> dict[str, object]:
        """The message's own fields, which its author signs (each round's type says which)."""

    @property
    def signer(self) -> int:
        value = self.body()[self.signer_field]
        assert isinstance(value, int)
        return value

    def statement(self, base: bytes) -> bytes:
        return _context(self.kind, base, **self.body())

    def signed(self: M, key: signing.SigningKey, base: bytes) -> M:
        return replace(self, signature=key.sign(self.statement(base)))  # type: ignore[call-arg]

    def signed_by(self, public_key: bytes, base: bytes) -> bool:
        return signature_valid(public_key, self.statement(base), self.signature)

    def to_json(self) -> dict[str, object]:
        return {**self.body(), "signature": self.signature.hex()}


def _signature(d: Mapping[str, Any]) -> bytes:
    return enc.hex_bytes(d["signature"], signing.SIGNATURE_BYTES, "signature")


def _index(value: object, what: str) -> int:
    return enc.integer(value, what, 0, MAX_GUARDIANS + 1)


@dataclass(frozen=True)
class CommitMessage(Signed):
    kind: ClassVar[str] = "commit"
    round: ClassVar[int] = 1
    guardian: int
    digest: bytes
    signature: bytes = b""

    def body(self) -> dict[str, object]:
        return {"guardian": self.guardian, "digest": self.digest.hex()}

    @staticmethod
    def from_json(value: object) -> CommitMessage:
        d = enc.obj(value, "commitment", ("guardian", "digest", "signature"))
        return CommitMessage(_index(d["guardian"], "guardian"), enc.hex_bytes(d["digest"], 32, "digest"), _signature(d))


@dataclass(frozen=True)
class RevealMessage(Signed):
    kind: ClassVar[str] = "reveal"
    round: ClassVar[int] = 2
    guardian: int
    coefficients: tuple[Element, ...]
    proofs: tuple[SchnorrProof, ...]
    encryption_key: Element
    encryption_proof: SchnorrProof
    salt: bytes
    signature: bytes = b""

    def body(self) -> dict[str, object]:
        return {
            "guardian": self.guardian,
            "coefficients": [c.hex() for c in self.coefficients],
            "proofs": [p.to_json() for p in self.proofs],
            "encryption_key": self.encryption_key.hex(),
            "encryption_proof": self.encryption_proof.to_json(),
            "salt": self.salt.hex(),
        }

    def digest(self, base: bytes) -> bytes:
        return reveal_digest(base, self.guardian, self.coefficients, self.encryption_key, self.salt)

    @staticmethod
    def from_json(value: object) -> RevealMessage:
        keys = ("guardian", "coefficients", "proofs", "encryption_key", "encryption_proof", "salt", "signature")
        d = enc.obj(value, "reveal", keys)
        return RevealMessage(
            _index(d["guardian"], "guardian"),
            tuple(Element.from_hex(c) for c in enc.array(d["coefficients"], "coefficients", MAX_GUARDIANS)),
            tuple(_proof(p) for p in enc.array(d["proofs"], "proofs", MAX_GUARDIANS)),
            Element.from_hex(d["encryption_key"]),
            _proof(d["encryption_proof"]),
            enc.hex_bytes(d["salt"], 32, "salt"),
            _signature(d),
        )


def _proof(value: object) -> SchnorrProof:
    c, z = enc.array(value, "Schnorr proof", length=2)
    return SchnorrProof(Scalar.from_hex(c), Scalar.from_hex(z))


@dataclass(frozen=True)
class SharesMessage(Signed):
    kind: ClassVar[str] = "shares"
    round: ClassVar[int] = 3
    signer_field: ClassVar[str] = "dealer"
    dealer: int
    shares: tuple[EncryptedShare, ...]
    signature: bytes = b""

    def body(self) -> dict[str, object]:
        return {"dealer": self.dealer, "shares": [s.to_json() for s in self.shares]}

    @staticmethod
    def from_json(value: object) -> SharesMessage:
        d = enc.obj(value, "shares", ("dealer", "shares", "signature"))
        shares = enc.array(d["shares"], "shares", MAX_GUARDIANS)
        return SharesMessage(
            _index(d["dealer"], "dealer"), tuple(EncryptedShare.from_json(s) for s in shares), _signature(d)
        )


@dataclass(frozen=True)
class ComplaintMessage(Signed):
    kind: ClassVar[str] = "complaint"
    round: ClassVar[int] = 4
    signer_field: ClassVar[str] = "accuser"
    accuser: int
    accused: int
    share_digest: bytes
    signature: bytes = b""

    def body(self) -> dict[str, object]:
        return {"accuser": self.accuser, "accused": self.accused, "share_digest": self.share_digest.hex()}

    @staticmethod
    def from_json(value: object) -> ComplaintMessage:
        d = enc.obj(value, "complaint", ("accuser", "accused", "share_digest", "signature"))
        return ComplaintMessage(
            _index(d["accuser"], "accuser"),
            _index(d["accused"], "accused"),
            enc.hex_bytes(d["share_digest"], 32, "share digest"),
            _signature(d),
        )


@dataclass(frozen=True)
class AnswerMessage(Signed):
    kind: ClassVar[str] = "answer"
    round: ClassVar[int] = 5
    signer_field: ClassVar[str] = "accused"
    accused: int
    accuser: int
    share: Scalar
    signature: bytes = b""

    def body(self) -> dict[str, object]:
        return {"accused": self.accused, "accuser": self.accuser, "share": self.share.hex()}

    @staticmethod
    def from_json(value: object) -> AnswerMessage:
        d = enc.obj(value, "answer", ("accused", "accuser", "share", "signature"))
        return AnswerMessage(
            _index(d["accused"], "accused"), _index(d["accuser"], "accuser"), Scalar.from_hex(d["share"]), _signature(d)
        )


def acceptance_statement(base: bytes, qualified: Sequence[int], public_key: Element) -> bytes:
    """What a board signs to accept a ceremony whose qualified set is smaller than n."""
    return _context("acceptance", base, qualified=list(qualified), public_key=public_key.hex())


@dataclass(frozen=True, slots=True)
class Acceptance:
    board: int
    """1-based index into the opening's ``board_keys``."""
    signature: bytes

    @staticmethod
    def sign(
        key: signing.SigningKey, board: int, base: bytes, qualified: Sequence[int], public_key: Element
    ) -> Acceptance:
        return Acceptance(board, key.sign(acceptance_statement(base, qualified, public_key)))

    def to_json(self) -> dict[str, object]:
        return {"board": self.board, "signature": self.signature.hex()}

    @staticmethod
    def from_json(value: object) -> Acceptance:
        d = enc.obj(value, "acceptance", ("board", "signature"))
        return Acceptance(enc.integer(d["board"], "board", 0, MAX_BOARDS + 1), _signature(d))


# ---- the transcript --------------------------------------------------------------------

ROUNDS: tuple[tuple[str, Callable[[object], Any]], ...] = (
    ("round1_commit", CommitMessage.from_json),
    ("round2_reveal", RevealMessage.from_json),
    ("round3_shares", SharesMessage.from_json),
    ("round4_complaints", ComplaintMessage.from_json),
    ("round5_answers", AnswerMessage.from_json),
    ("round6_acceptances", Acceptance.from_json),
)


@dataclass(frozen=True)
class CeremonyTranscript:
    """Every message of every round (the bulletin board), and the outcome it claims.

    ``qualified``/``public_key`` are empty/None while the ceremony runs (the same type is
    the board the guardians read between rounds); a finished record has both.
    """

    commits: tuple[CommitMessage, ...] = ()
    reveals: tuple[RevealMessage, ...] = ()
    shares: tuple[SharesMessage, ...] = ()
    complaints: tuple[ComplaintMessage, ...] = ()
    answers: tuple[AnswerMessage, ...] = ()
    acceptances: tuple[Acceptance, ...] = ()
    qualified: tuple[int, ...] = ()
    public_key: Element | None = None

    def rounds(self) -> tuple[tuple[Any, ...], ...]:
        return (self.commits, self.reveals, self.shares, self.complaints, self.answers, self.acceptances)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": TRANSCRIPT_KIND}
        for (name, _), messages in zip(ROUNDS, self.rounds(), strict=True):
            out[name] = [m.to_json() for m in messages]
        if self.public_key is not None:
            out["qualified"] = list(self.qualified)
            out["public_key"] = self.public_key.hex()
        return out

    @staticmethod
    def from_json(value: object) -> CeremonyTranscript:
        """Strict reading; a failure names the round and message (``round3_shares[2]: ...``)."""
        names = [name for name, _ in ROUNDS]
        try:
            d = enc.obj(value, "ceremony transcript", ("kind", *names), ("qualified", "public_key"))
            enc.text(d["kind"], "ceremony transcript kind", allowed=(TRANSCRIPT_KIND,))
        except CryptoError as exc:
            raise RecordError("ceremony transcript: %(error)s", params={"error": str(exc)}) from exc
        rounds: list[tuple[Any, ...]] = []
        for name, read in ROUNDS:
            where = name
            try:
                items = enc.array(d[name], name, MAX_GUARDIANS * MAX_GUARDIANS)
                parsed = []
                for p, item in enumerate(items):
                    where = f"{name}[{p}]"
                    parsed.append(read(item))
                rounds.append(tuple(parsed))
            except CryptoError as exc:
                raise RecordError("ceremony transcript %(where)s: %(error)s",
                                  params={"where": where, "error": str(exc)}) from exc
        qualified: tuple[int, ...] = ()
        public_key = None
        try:
            if ("qualified" in d) != ("public_key" in d):
                raise enc.EncodingError("qualified and public_key come together")
            if "public_key" in d:
                raw = enc.array(d["qualified"], "qualified", MAX_GUARDIANS)
                qualified = tuple(_index(q, "qualified guardian") for q in raw)
                public_key = Element.from_hex(d["public_key"])
        except CryptoError as exc:
            raise RecordError("ceremony transcript outcome: %(error)s", params={"error": str(exc)}) from exc
        return CeremonyTranscript(*rounds, qualified=qualified, public_key=public_key)


def salt(rng: Randomness | None) -> bytes:
    return (rng or SYSTEM_RANDOMNESS).bytes64()[:32]
