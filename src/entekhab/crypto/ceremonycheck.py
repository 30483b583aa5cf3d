"""Judging a key-ceremony transcript: the qualified set and the joint key, from the messages alone.

The guardians (between rounds) and the verifier (afterwards) run the same code, so they
agree on who is qualified. The rules are listed in :mod:`entekhab.crypto.keyceremony`.
Three kinds of finding, each with its place (round, message, guardian, recipient):

- *refused*: a message that does not count (bad signature, index out of range, a
  complaint about a share never sent, a repeat). It harms nobody but its author's case:
  a forged message can never disqualify the guardian it claims to come from or accuse.
- *disqualified*: a guardian that broke a rule; it is left out of the joint key.
- *fatal*: the outcome is not valid (fewer than k qualified, a board's acceptance missing
  when fewer than n qualified, a claimed outcome that differs from the derived one).

``check_transcript`` lists all three; ``outcome_from_transcript`` returns the joint key
when there is nothing fatal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from entekhab.crypto.ceremony import (
    AnswerMessage,
    CeremonyOpening,
    CeremonyTranscript,
    CommitMessage,
    ComplaintMessage,
    EncryptedShare,
    RevealMessage,
    Signed,
    acceptance_statement,
    coefficient_context,
    encryption_key_context,
    share_digest,
    signature_valid,
)
from entekhab.crypto.errors import CeremonyError, CryptoError
from entekhab.crypto.group import ORDER, Element, Scalar, g_pow, product
from entekhab.i18n import Message

Finding = tuple[str, Message]
"""(location, message): the location is language-neutral, the message a catalogue id with parameters."""

_NO_MESSAGE = {
    "commit": "no signed round-1 commit message",
    "reveal": "no signed round-2 reveal message",
    "shares": "no signed round-3 shares message",
}
_TWO_MESSAGES = {
    "commit": "signed two different round-1 commit messages",
    "reveal": "signed two different round-2 reveal messages",
    "shares": "signed two different round-3 shares messages",
}
"""Whole sentences per round, not a round name spliced in: a translator words each one."""


def _m(msgid: str, **params: Any) -> Message:
    return Message(msgid, params)


def _listing(findings: Sequence[Finding]) -> Message:
    """``where: what; where: what …`` (at least one) as one message, rendered in the reader's language."""
    parts = [_m("%(where)s: %(what)s", where=where, what=what) for where, what in findings]
    out = parts[0]
    for part in parts[1:]:
        out = _m("%(first)s; %(rest)s", first=out, rest=part)
    return out


def share_image(coefficients: Sequence[Element], recipient: int) -> Element:
    """``g^{f(recipient)}`` from the Feldman commitments alone."""
    return product(c ** pow(recipient, j, ORDER) for j, c in enumerate(coefficients))


@dataclass(frozen=True, eq=False)
class JointKey:
    """The ceremony's public outcome, as decryption and the verifier use it."""

    guardians: int
    quorum: int
    qualified: tuple[int, ...]
    public_key: Element
    commitments: Mapping[int, tuple[Element, ...]]
    """Each qualified dealer's coefficient commitments ``g^{a_j}``."""
    _vk: dict[int, Element] = field(default_factory=dict, repr=False)

    def verification_key(self, guardian: int) -> Element:
        """``g^{x_l}`` = product over qualified dealers of their share images at ``l``."""
        if guardian not in self.qualified:
            raise CeremonyError("guardian %(g)s is not a qualified guardian of the ceremony", params={"g": guardian})
        if guardian not in self._vk:
            self._vk[guardian] = product(share_image(self.commitments[i], guardian) for i in self.qualified)
        return self._vk[guardian]


@dataclass
class CeremonyAnalysis:
    opening: CeremonyOpening
    base: bytes
    findings: list[Finding] = field(default_factory=list)
    fatal: list[Finding] = field(default_factory=list)
    disqualified: dict[int, Finding] = field(default_factory=dict)
    commits: dict[int, CommitMessage] = field(default_factory=dict)
    reveals: dict[int, RevealMessage] = field(default_factory=dict)
    """Guardians whose commitment and reveal are sound: the dealers and recipients of round 3."""
    sent: dict[tuple[int, int], EncryptedShare] = field(default_factory=dict)
    """(dealer, recipient) → the ciphertext the dealer signed."""
    complaints: dict[tuple[int, int], ComplaintMessage] = field(default_factory=dict)
    """(accused, accuser) → the valid complaint."""
    revealed: dict[tuple[int, int], Scalar] = field(default_factory=dict)
    """(dealer, recipient) → the share a valid answer made public (the recipient uses it)."""

    @property
    def qualified(self) -> tuple[int, ...]:
        return tuple(g for g in range(1, self.opening.guardians + 1) if g not in self.disqualified)

    @property
    def public_key(self) -> Element | None:
        q = self.qualified
        return product(self.reveals[i].coefficients[0] for i in q) if q else None

    def joint_key(self) -> JointKey:
        if self.fatal:
            raise CeremonyError(
                "the key ceremony's outcome is not valid: %(problems)s",
                params={"problems": _listing(self.fatal)},
            )
        pk = self.public_key
        assert pk is not None
        q = self.qualified
        return JointKey(self.opening.guardians, self.opening.quorum, q, pk,
                        {i: self.reveals[i].coefficients for i in q})

    # ---- bookkeeping ------------------------------------------------------------------

    def refuse(self, where: str, what: Message) -> None:
        self.findings.append((where, what))

    def disqualify(self, guardian: int, where: str, why: Message) -> None:
        self.findings.append((where, _m("guardian %(g)s is disqualified: %(why)s", g=guardian, why=why)))
        self.disqualified.setdefault(guardian, (where, why))

    def fail(self, where: str, what: Message) -> None:
        self.findings.append((where, what))
        self.fatal.append((where, what))

    def _in_range(self, g: int) -> bool:
        return 1 <= g <= self.opening.guardians

    def _by_signer(self, messages: Sequence[Signed], name: str) -> dict[int, list[tuple[int, Any]]]:
        """Validly signed messages of one round, by author; the rest are refused."""
        out: dict[int, list[tuple[int, Any]]] = {}
        for p, m in enumerate(messages):
            g = m.signer
            where = f"round {m.round} {name} #{p}, guardian {g}"
            if not self._in_range(g):
                self.refuse(where, _m("%(g)s is not a guardian of this ceremony (1..%(n)s); ignored",
                                     g=g, n=self.opening.guardians))
            elif not m.signed_by(self.opening.guardian_key(g), self.base):
                self.refuse(where, _m("not signed by guardian %(g)s's key in the opening; ignored", g=g))
            elif g in self.disqualified:
                self.refuse(where, _m("guardian %(g)s was disqualified in an earlier round; ignored", g=g))
            else:
                out.setdefault(g, []).append((p, m))
        return out

    def _one(self, by: dict[int, list[tuple[int, Any]]], g: int, rnd: int, name: str) -> Any:
        """The one message of ``g`` in this round, or ``None`` (and ``g`` disqualified)."""
        msgs = by.get(g, [])
        if not msgs:
            self.disqualify(g, f"round {rnd} {name}, guardian {g}", _m(_NO_MESSAGE[name]))
            return None
        first = msgs[0][1]
        if any(m != first for _, m in msgs):
            self.disqualify(g, f"round {rnd} {name}, guardian {g}", _m(_TWO_MESSAGES[name]))
            return None
        for p, _ in msgs[1:]:
            self.refuse(f"round {rnd} {name} #{p}, guardian {g}", _m("repeats an earlier message; ignored"))
        return first

    # ---- the rounds -------------------------------------------------------------------

    def round1(self, transcript: CeremonyTranscript) -> None:
        by = self._by_signer(transcript.commits, "commit")
        for g in range(1, self.opening.guardians + 1):
            c = self._one(by, g, 1, "commit")
            if c is not None:
                self.commits[g] = c

    def round2(self, transcript: CeremonyTranscript) -> None:
        by = self._by_signer(transcript.reveals, "reveal")
        k = self.opening.quorum
        for g in range(1, self.opening.guardians + 1):
            if g in self.disqualified:
                continue
            r: RevealMessage | None = self._one(by, g, 2, "reveal")
            if r is None:
                continue
            where = f"round 2 reveal, guardian {g}"
            if len(r.coefficients) != k or len(r.proofs) != k:
                self.disqualify(g, where, _m("%(commitments)s commitments and %(proofs)s proofs, "
                                             "the quorum is %(quorum)s",
                                             commitments=len(r.coefficients), proofs=len(r.proofs), quorum=k))
                continue
            if r.digest(self.base) != self.commits[g].digest:
                self.disqualify(g, where, _m("the reveal does not match its round-1 commitment"))
                continue
            ok = True
            for j, (c, proof) in enumerate(zip(r.coefficients, r.proofs, strict=True)):
                try:
                    proof.verify(c, coefficient_context(self.base, g, j))
                except CryptoError:
                    self.disqualify(g, f"{where}, coefficient {j}",
                                    _m("the proof of knowledge of coefficient %(j)s fails", j=j))
                    ok = False
                    break
            if ok:
                try:
                    r.encryption_proof.verify(r.encryption_key, encryption_key_context(self.base, g))
                except CryptoError:
                    self.disqualify(g, f"{where}, encryption key",
                                    _m("the proof of knowledge of the encryption key fails"))
                    ok = False
            if ok:
                self.reveals[g] = r

    def round3(self, transcript: CeremonyTranscript) -> None:
        by = self._by_signer(transcript.shares, "shares")
        for d in sorted(self.reveals):
            if d in self.disqualified:
                continue
            m = self._one(by, d, 3, "shares")
            if m is None:
                continue
            expected = [g for g in sorted(self.reveals) if g != d]
            got = [s.recipient for s in m.shares]
            if got != expected:
                self.disqualify(d, f"round 3 shares, dealer {d}",
                                _m("shares for recipients %(got)s, expected %(expected)s "
                                   "(each other guardian once, in order)", got=got, expected=expected))
                continue
            for s in m.shares:
                self.sent[(d, s.recipient)] = s

    def round4(self, transcript: CeremonyTranscript) -> None:
        n = self.opening.guardians
        for p, c in enumerate(transcript.complaints):
            a, d = c.accuser, c.accused
            where = f"round 4 complaint #{p}, accuser {a}, accused {d}"
            if not self._in_range(a):
                self.refuse(where, _m("accuser %(a)s is not a guardian (1..%(n)s); complaint refused", a=a, n=n))
            elif not c.signed_by(self.opening.guardian_key(a), self.base):
                self.refuse(where, _m("not signed by accuser %(a)s; complaint refused", a=a))
            elif not self._in_range(d) or d == a:
                self.refuse(where, _m("accused %(d)s is not another guardian (1..%(n)s); complaint refused", d=d, n=n))
            elif (d, a) not in self.sent:
                self.refuse(where, _m("guardian %(d)s sent guardian %(a)s no share; complaint refused", d=d, a=a))
            elif c.share_digest != share_digest(self.base, d, self.sent[(d, a)]):
                self.refuse(where, _m("refers to a share guardian %(d)s never sent; complaint refused", d=d))
            elif (d, a) in self.complaints:
                self.refuse(where, _m("repeats an earlier complaint; ignored"))
            else:
                self.complaints[(d, a)] = c

    def round5(self, transcript: CeremonyTranscript) -> None:
        answers: dict[tuple[int, int], list[tuple[int, AnswerMessage]]] = {}
        for p, m in enumerate(transcript.answers):
            d, a = m.accused, m.accuser
            where = f"round 5 answer #{p}, accused {d}, accuser {a}"
            if not self._in_range(d):
                self.refuse(where, _m("%(d)s is not a guardian (1..%(n)s); ignored", d=d, n=self.opening.guardians))
            elif not m.signed_by(self.opening.guardian_key(d), self.base):
                self.refuse(where, _m("not signed by the accused guardian %(d)s; ignored", d=d))
            elif (d, a) not in self.complaints:
                self.refuse(where, _m("answers no valid complaint; ignored"))
            else:
                answers.setdefault((d, a), []).append((p, m))
        for d, a in sorted(self.complaints):
            where = f"round 5 answer, accused {d}, accuser {a}"
            got = answers.get((d, a), [])
            if not got:
                self.disqualify(d, where, _m("did not answer the complaint of guardian %(a)s", a=a))
            elif any(m != got[0][1] for _, m in got):
                self.disqualify(d, where, _m("signed two different answers to guardian %(a)s", a=a))
            elif g_pow(got[0][1].share) != share_image(self.reveals[d].coefficients, a):
                self.disqualify(d, where,
                                _m("the share revealed for guardian %(a)s does not match its commitments", a=a))
            else:
                self.revealed[(d, a)] = got[0][1].share
                for p, _ in got[1:]:
                    self.refuse(f"round 5 answer #{p}, accused {d}, accuser {a}",
                                _m("repeats an earlier answer; ignored"))

    def outcome(self, transcript: CeremonyTranscript) -> None:
        """Quorum, board acceptance when fewer than n qualified, and the claimed outcome."""
        n, k = self.opening.guardians, self.opening.quorum
        q, pk = self.qualified, self.public_key
        if len(q) < k:
            self.fail("outcome", _m("only %(qualified)s guardians qualified, the quorum is %(quorum)s: "
                                    "the ceremony fails", qualified=len(q), quorum=k))
        accepted: set[int] = set()
        boards = len(self.opening.board_keys)
        for p, acc in enumerate(transcript.acceptances):
            where = f"round 6 acceptance #{p}, board {acc.board}"
            if not 1 <= acc.board <= boards:
                self.refuse(where, _m("board %(b)s is not a board of the opening (1..%(boards)s); ignored",
                                     b=acc.board, boards=boards))
            elif pk is None or not signature_valid(
                self.opening.board_keys[acc.board - 1], acceptance_statement(self.base, q, pk), acc.signature
            ):
                self.refuse(where, _m("board %(b)s's signature does not accept this outcome; ignored", b=acc.board))
            elif acc.board in accepted:
                self.refuse(where, _m("repeats an earlier acceptance; ignored"))
            else:
                accepted.add(acc.board)
        if len(q) < n:
            if not boards:
                self.fail("round 6 acceptance", _m("only %(qualified)s of %(n)s guardians qualified and the "
                                                   "opening names no board to accept that", qualified=len(q), n=n))
            for b in range(1, boards + 1):
                if b not in accepted:
                    self.fail(f"round 6 acceptance, board {b}",
                              _m("only %(qualified)s of %(n)s guardians qualified and board %(b)s has not "
                                 "signed its acceptance", qualified=len(q), n=n, b=b))
        if transcript.public_key is None:
            self.fail("outcome", _m("the transcript states no qualified set and joint key"))
            return
        if tuple(transcript.qualified) != q:
            self.fail("outcome qualified", _m("the transcript claims qualified %(claimed)s, the messages give "
                                              "%(derived)s", claimed=list(transcript.qualified), derived=list(q)))
        if transcript.public_key != pk:
            self.fail("outcome public_key", _m("the joint key is not the product of the qualified guardians' g^a0"))


def analyse(
    transcript: CeremonyTranscript, opening: CeremonyOpening, base: bytes, rounds: int = 6
) -> CeremonyAnalysis:
    """Judge rounds 1..``rounds`` (a guardian between rounds uses fewer; 6 includes the outcome)."""
    a = CeremonyAnalysis(opening, base)
    steps = (a.round1, a.round2, a.round3, a.round4, a.round5, a.outcome)
    for step in steps[:rounds]:
        step(transcript)
    return a


def check_transcript(transcript: CeremonyTranscript, opening: CeremonyOpening, base: bytes) -> list[Finding]:
    """Every finding (refused message, disqualification, fatal defect) with its place; [] for a clean ceremony."""
    return analyse(transcript, opening, base).findings


def outcome_from_transcript(transcript: CeremonyTranscript, opening: CeremonyOpening, base: bytes) -> JointKey:
    """The joint key the messages give, or :class:`CeremonyError` listing what makes it invalid."""
    return analyse(transcript, opening, base).joint_key()
