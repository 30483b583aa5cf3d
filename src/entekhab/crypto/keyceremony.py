"""Authenticated Pedersen key generation (n guardians, quorum k) with signed rounds and a public transcript.

Each guardian ``i`` deals a random polynomial ``f_i`` of degree k-1. The ceremony is fixed
in advance by a :class:`~entekhab.crypto.ceremony.CeremonyOpening` (n, k, every guardian's
long-term Ed25519 key, the boards' keys) that is part of the election definition, so
``base`` (its hash) binds it. Every message is signed by its author (see
:mod:`entekhab.crypto.ceremony`); the transcript of all messages is part of the record and
:func:`~entekhab.crypto.ceremonycheck.check_transcript` re-derives the outcome from it.

Rounds: 1 commit (digest of the reveal) → 2 reveal (``g^{a_j}`` for j < k, a Schnorr
proof for every ``a_j``, share-encryption key with its proof) → 3 shares (``f_i(l)``
encrypted to each other guardian, signed) → 4 complaints (signed by the accuser, naming
the ciphertext by digest) → 5 answers (the accused reveals the share publicly) →
6 acceptance (only when fewer than n qualified: every board signs the outcome).

Disqualification rules (a dealer is left out of the joint key when):

- D1 it has no validly signed round-1 commitment (missing, or only messages whose
  signature does not verify under its key in the opening);
- D2 it signed two different messages in one round (equivocation);
- D3 it has no validly signed round-2 reveal;
- D4 its reveal has a number of coefficient commitments or proofs other than k;
- D5 its reveal does not hash to its round-1 digest (it changed its polynomial, or its
  encryption key, after seeing others': grinding);
- D6 the Schnorr proof of any coefficient ``a_j`` (j = 0..k-1) or of its encryption key
  fails (proof context: base, guardian, j);
- D7 it has no validly signed round-3 shares message, or the message does not carry
  exactly one share for every other guardian that passed round 2, in increasing order;
- D8 a valid complaint against it (round 4) has no validly signed answer (round 5),
  or two different ones;
- D9 its answer reveals a share ``s`` with ``g^s != prod_j C_j^{l^j}``.

A message is *refused* (ignored and reported, never counted against anyone else) when
its signature does not verify, its author index is outside 1..n, its author was already
disqualified, or it repeats an earlier one. A complaint is refused when the accuser is
outside 1..n, it is not signed by the accuser, the accused is the accuser or outside
1..n, the accused sent the accuser no share, or its digest is not that of the share the
accused signed in round 3. An answer is refused when it is not signed by the accused or
answers no valid complaint. A valid answer dismisses the complaint and the recipient uses
the revealed share.

The outcome is valid only if at least k guardians qualified, and, when fewer than n did,
every board in the opening signed an acceptance of (qualified set, joint key, base). The
joint key is ``prod_{i in Q} g^{a_i0}``; guardian ``l``'s verification key is
``prod_{i in Q} g^{f_i(l)}``; only qualified guardians hold a key share.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from entekhab.crypto.ceremony import (
    MAX_GUARDIANS,
    Acceptance,
    AnswerMessage,
    CeremonyOpening,
    CeremonyTranscript,
    CommitMessage,
    ComplaintMessage,
    EncryptedShare,
    RevealMessage,
    SharesMessage,
    coefficient_context,
    decrypt_share,
    encrypt_share,
    encryption_key_context,
    reveal_digest,
    salt,
    share_digest,
    validate_parameters,
)
from entekhab.crypto.ceremonycheck import (
    CeremonyAnalysis,
    JointKey,
    analyse,
    check_transcript,
    outcome_from_transcript,
    share_image,
)
from entekhab.crypto.errors import CeremonyError
from entekhab.crypto.group import ORDER, SYSTEM_RANDOMNESS, Element, Randomness, Scalar, g_pow, random_scalar
from entekhab.crypto.proofs import SchnorrProof
from entekhab.records.signing import SigningKey

__all__ = [
    "MAX_GUARDIANS",
    "CeremonyOpening",
    "CeremonyTranscript",
    "Guardian",
    "GuardianKey",
    "JointKey",
    "check_transcript",
    "outcome_from_transcript",
    "run_ceremony",
    "validate_parameters",
]


@dataclass(frozen=True, slots=True)
class GuardianKey:
    """A guardian's secret share of the joint key and its public image ``g^x``."""

    guardian: int
    secret: Scalar
    verification_key: Element


Board = CeremonyTranscript | CeremonyAnalysis
"""What a round method reads: the transcript so far, or an analysis of it already made."""


class Guardian:
    """One guardian's secrets and its side of every round.

    Each round method reads the board (the transcript so far, as every guardian sees it)
    and returns this guardian's signed messages, so guardians can run as separate
    processes exchanging the transcript's JSON. A method given a
    :class:`CeremonyAnalysis` trusts it (it must cover the rounds before the method's).
    """

    def __init__(
        self, index: int, opening: CeremonyOpening, key: SigningKey, base: bytes, rng: Randomness | None = None
    ) -> None:
        if not 1 <= index <= opening.guardians or key.public_key != opening.guardian_key(index):
            raise CeremonyError("guardian %(g)s's signing key is not the one in the opening", params={"g": index})
        self.index = index
        self.opening = opening
        self.base = base
        self._key = key
        self._rng = rng or SYSTEM_RANDOMNESS
        self._coefficients = [random_scalar(self._rng) for _ in range(opening.quorum)]
        self._encryption_secret = random_scalar(self._rng)
        self._salt = salt(self._rng)
        self.commitments = tuple(g_pow(a) for a in self._coefficients)
        self.encryption_key = g_pow(self._encryption_secret)
        self._checked: dict[tuple[int, EncryptedShare], Scalar] = {}

    def share_for(self, recipient: int) -> Scalar:
        """``f_i(recipient)`` by Horner's rule."""
        acc = 0
        for a in reversed(self._coefficients):
            acc = (acc * recipient + a.v) % ORDER
        return Scalar(acc)

    def _analyse(self, board: CeremonyTranscript | CeremonyAnalysis, rounds: int) -> CeremonyAnalysis:
        """Judge the board (or take the caller's judgement of it: run_ceremony judges once for all)."""
        a = board if isinstance(board, CeremonyAnalysis) else analyse(board, self.opening, self.base, rounds)
        if self.index in a.disqualified:
            where, why = a.disqualified[self.index]
            raise CeremonyError("guardian %(g)s is disqualified (%(where)s: %(why)s)",
                                params={"g": self.index, "where": where, "why": why})
        return a

    # round 1
    def commit(self) -> CommitMessage:
        digest = reveal_digest(self.base, self.index, self.commitments, self.encryption_key, self._salt)
        return CommitMessage(self.index, digest).signed(self._key, self.base)

    # round 2
    def reveal(self) -> RevealMessage:
        proofs = tuple(
            SchnorrProof.prove(a, c, coefficient_context(self.base, self.index, j), self._rng)
            for j, (a, c) in enumerate(zip(self._coefficients, self.commitments, strict=True))
        )
        key_proof = SchnorrProof.prove(
            self._encryption_secret, self.encryption_key, encryption_key_context(self.base, self.index), self._rng
        )
        message = RevealMessage(self.index, self.commitments, proofs, self.encryption_key, key_proof, self._salt)
        return message.signed(self._key, self.base)

    # round 3
    def _plaintext(self, recipient: int) -> Scalar:
        return self.share_for(recipient)

    def deal(self, board: Board) -> SharesMessage:
        """``f_i(l)`` encrypted to every other guardian that passed round 2."""
        a = self._analyse(board, 2)
        shares = tuple(
            encrypt_share(self.base, self.index, to, r.encryption_key, self._plaintext(to), self._rng)
            for to, r in sorted(a.reveals.items())
            if to != self.index
        )
        return SharesMessage(self.index, shares).signed(self._key, self.base)

    # round 4
    def complain(self, board: Board) -> tuple[ComplaintMessage, ...]:
        """Decrypt and check the shares sent to this guardian; a complaint for each that fails."""
        a = self._analyse(board, 3)
        out = []
        for (dealer, recipient), es in sorted(a.sent.items()):
            if recipient != self.index:
                continue
            share = decrypt_share(self.base, dealer, es, self._encryption_secret)
            if g_pow(share) == share_image(a.reveals[dealer].coefficients, self.index):
                self._checked[(dealer, es)] = share
            else:
                out.append(self._complaint(a, dealer))
        return tuple(out)

    def complaint_against(self, board: Board, dealer: int) -> ComplaintMessage:
        """A complaint whatever the share (the dealer must then reveal it publicly)."""
        return self._complaint(self._analyse(board, 3), dealer)

    def _complaint(self, a: CeremonyAnalysis, dealer: int) -> ComplaintMessage:
        sent = a.sent.get((dealer, self.index))
        if sent is None:
            raise CeremonyError("guardian %(d)s sent guardian %(g)s no share", params={"d": dealer, "g": self.index})
        digest = share_digest(self.base, dealer, sent)
        return ComplaintMessage(self.index, dealer, digest).signed(self._key, self.base)

    # round 5
    def _answer_share(self, accuser: int) -> Scalar:
        return self.share_for(accuser)

    def answer(self, board: Board) -> tuple[AnswerMessage, ...]:
        """Reveal publicly each share a valid complaint disputes."""
        a = self._analyse(board, 4)
        return tuple(
            AnswerMessage(self.index, accuser, self._answer_share(accuser)).signed(self._key, self.base)
            for (accused, accuser) in sorted(a.complaints)
            if accused == self.index
        )

    # after round 5
    def key(self, board: Board) -> GuardianKey:
        """This guardian's share ``x_l = sum_{i in Q} f_i(l)`` once the qualified set is known."""
        a = self._analyse(board, 5)
        total = 0
        for dealer in a.qualified:
            if dealer == self.index:
                share = self.share_for(self.index)
            elif (dealer, self.index) in a.revealed:
                share = a.revealed[(dealer, self.index)]
            elif (dealer, a.sent[(dealer, self.index)]) in self._checked:
                share = self._checked[(dealer, a.sent[(dealer, self.index)])]
            else:
                share = decrypt_share(self.base, dealer, a.sent[(dealer, self.index)], self._encryption_secret)
                if g_pow(share) != share_image(a.reveals[dealer].coefficients, self.index):
                    raise CeremonyError("guardian %(g)s holds no checked share from guardian %(d)s",
                                        params={"g": self.index, "d": dealer})
            total += share.v
        x = Scalar.reduce(total)
        return GuardianKey(self.index, x, g_pow(x))


class _Cheat(Guardian):
    """A dealer that sends wrong shares and, unless ``honest_reveal``, answers with them too."""

    def __init__(self, *args: object, tamper: Mapping[int, Scalar], honest_reveal: bool) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self._tamper = dict(tamper)
        self._honest_reveal = honest_reveal

    def _plaintext(self, recipient: int) -> Scalar:
        return self._tamper.get(recipient, self.share_for(recipient))

    def _answer_share(self, accuser: int) -> Scalar:
        return self.share_for(accuser) if self._honest_reveal else self._plaintext(accuser)


def run_ceremony(
    opening: CeremonyOpening,
    signing_keys: Sequence[SigningKey],
    base: bytes,
    rng: Randomness | None = None,
    *,
    tamper: Mapping[tuple[int, int], Scalar] | None = None,
    false_complaints: Collection[tuple[int, int]] = (),
    silent: Collection[int | tuple[int, int]] = (),
    honest_reveal: Collection[int] | None = None,
    board_keys: Sequence[SigningKey] = (),
) -> tuple[CeremonyTranscript, JointKey, list[GuardianKey]]:
    """Play every guardian in memory (demo, tests); returns the transcript, joint key and qualified keys.

    ``tamper[(dealer, recipient)]`` makes that dealer encrypt a wrong share; a tampering
    dealer answers the complaint with the true share if it is in ``honest_reveal``
    (``None``: every dealer), else with the wrong one (and is disqualified).
    ``false_complaints`` holds ``(accuser, accused)`` complaints about correct shares.
    ``silent`` holds guardians that send nothing, or ``(guardian, round)``: nothing from
    that round on. ``board_keys[b - 1]`` signs the acceptance when fewer than n qualify.
    Raises :class:`CeremonyError` when the outcome is not valid.
    """
    n = opening.guardians
    if len(signing_keys) != n:
        raise CeremonyError("%(keys)s signing keys for %(guardians)s guardians",
                            params={"keys": len(signing_keys), "guardians": n})
    rng = rng or SYSTEM_RANDOMNESS
    tamper = dict(tamper or {})
    cheats = {d for d, _ in tamper}
    players: dict[int, Guardian] = {}
    for i in range(1, n + 1):
        args = (i, opening, signing_keys[i - 1], base, rng.spawn(f"guardian-{i}".encode()))
        if i in cheats:
            mine = {to: s for (d, to), s in tamper.items() if d == i}
            honest = honest_reveal is None or i in honest_reveal
            players[i] = _Cheat(*args, tamper=mine, honest_reveal=honest)
        else:
            players[i] = Guardian(*args)

    def speaks(i: int, rnd: int) -> bool:
        return i not in silent and not any(isinstance(s, tuple) and s[0] == i and rnd >= s[1] for s in silent)

    def active(a: CeremonyAnalysis | None, rnd: int) -> list[Guardian]:
        return [p for i, p in players.items() if speaks(i, rnd) and (a is None or i not in a.disqualified)]

    def judged(rounds: int) -> CeremonyAnalysis:
        return analyse(board, opening, base, rounds)

    board = CeremonyTranscript()
    board = replace(board, commits=tuple(p.commit() for p in active(None, 1)))
    a = judged(1)
    board = replace(board, reveals=tuple(p.reveal() for p in active(a, 2)))
    a = judged(2)
    board = replace(board, shares=tuple(p.deal(a) for p in active(a, 3)))
    a = judged(3)
    complaints = [c for p in active(a, 4) if p.index in a.reveals for c in p.complain(a)]
    complaints += [players[acc].complaint_against(a, d) for acc, d in false_complaints if speaks(acc, 4)]
    board = replace(board, complaints=tuple(complaints))
    a = judged(4)
    board = replace(board, answers=tuple(m for p in active(a, 5) for m in p.answer(a)))
    result = analyse(board, opening, base, 5)
    qualified, public_key = result.qualified, result.public_key
    if len(qualified) < opening.quorum or public_key is None:
        raise CeremonyError("only %(qualified)s guardians qualified, the quorum is %(quorum)s: the ceremony fails",
                            params={"qualified": len(qualified), "quorum": opening.quorum})
    acceptances: tuple[Acceptance, ...] = ()
    if len(qualified) < n:
        acceptances = tuple(
            Acceptance.sign(key, b, base, qualified, public_key) for b, key in enumerate(board_keys, start=1)
        )
    board = replace(board, acceptances=acceptances, qualified=qualified, public_key=public_key)
    joint = outcome_from_transcript(board, opening, base)
    return board, joint, [players[i].key(result) for i in qualified]
