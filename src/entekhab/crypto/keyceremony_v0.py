"""SUPERSEDED: the unauthenticated ceremony, kept only until record.py, demo.py and verifier.py
move to :mod:`entekhab.crypto.keyceremony` (signed rounds, transcript). Do not use it for new code:
its complaints are unsigned and only ``a_0`` is proven (issue 14).

Pedersen distributed key generation with Feldman commitments (n guardians, quorum k).

Each guardian deals a random polynomial of degree k-1, publishes ``g^{a_j}`` for its
coefficients with a Schnorr proof of possession of ``a_0``, and sends ``f(l)`` to each
guardian ``l`` privately.  A recipient checks its share against the commitments and
complains publicly if it fails; the dealer must then reveal the disputed share, and is
disqualified if the revealed share fails too.  The joint key is the product of the
qualified dealers' ``g^{a_0}``; nobody ever holds its secret, and any k guardians can
decrypt together.  (Share transport between guardians is out of scope here: in the demo
the shares are passed in memory.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from entekhab.crypto.ceremony import MAX_GUARDIANS, validate_parameters
from entekhab.crypto.errors import CeremonyError, CryptoError
from entekhab.crypto.group import ORDER, Element, Randomness, Scalar, g_pow, product, random_scalar
from entekhab.crypto.keyceremony import GuardianKey
from entekhab.crypto.proofs import SchnorrProof

__all__ = ["MAX_GUARDIANS", "Complaint", "GuardianCommitment", "GuardianKey", "JointKey", "check_joint_key",
           "run_ceremony", "validate_parameters"]


def pop_context(election: bytes, guardian: int) -> bytes:
    return b"guardian-pop/" + election + b"/" + str(guardian).encode()


@dataclass(frozen=True, slots=True)
class GuardianCommitment:
    """What a guardian publishes: Feldman commitments and the proof of possession."""

    guardian: int
    coefficients: tuple[Element, ...]
    proof: SchnorrProof

    def __post_init__(self) -> None:
        if not self.coefficients:
            raise CeremonyError("guardian %(guardian)s publishes no commitments", params={"guardian": self.guardian})

    @property
    def public_key(self) -> Element:
        return self.coefficients[0]

    def share_image(self, recipient: int) -> Element:
        """``g^{f(recipient)}`` computed from the commitments alone."""
        return product(c ** pow(recipient, j, ORDER) for j, c in enumerate(self.coefficients))

    def check_share(self, recipient: int, share: Scalar) -> bool:
        return g_pow(share) == self.share_image(recipient)


@dataclass(frozen=True, slots=True)
class Complaint:
    """Recipient ``accuser`` says ``accused``'s share fails; ``revealed`` is the dealer's answer."""

    accuser: int
    accused: int
    revealed: Scalar | None
    upheld: bool


class Dealer:
    """One guardian's secret polynomial (kept by that guardian only)."""

    def __init__(self, guardian: int, quorum: int, election: bytes, rng: Randomness | None = None) -> None:
        self.guardian = guardian
        self._coefficients = [random_scalar(rng) for _ in range(quorum)]
        commits = tuple(g_pow(a) for a in self._coefficients)
        proof = SchnorrProof.prove(self._coefficients[0], commits[0], pop_context(election, guardian), rng)
        self.commitment = GuardianCommitment(guardian, commits, proof)

    def share_for(self, recipient: int) -> Scalar:
        acc = 0
        for a in reversed(self._coefficients):
            acc = (acc * recipient + a.v) % ORDER
        return Scalar(acc)


@dataclass(frozen=True)
class JointKey:
    """The public outcome of the ceremony, as published in the election record."""

    guardians: int
    quorum: int
    commitments: tuple[GuardianCommitment, ...]
    complaints: tuple[Complaint, ...]
    qualified: tuple[int, ...]
    public_key: Element
    _vk: dict[int, Element] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        validate_parameters(self.guardians, self.quorum)
        if not self.qualified or any(not 1 <= q <= self.guardians for q in self.qualified):
            raise CeremonyError(
                "qualified guardians %(qualified)s not a non-empty subset of 1..%(guardians)s",
                params={"qualified": list(self.qualified), "guardians": self.guardians},
            )

    def verification_key(self, guardian: int) -> Element:
        """``g^{x_l}`` = product over qualified dealers of their share images."""
        if guardian not in self._vk:
            by = {c.guardian: c for c in self.commitments}
            self._vk[guardian] = product(by[i].share_image(guardian) for i in self.qualified)
        return self._vk[guardian]


def run_ceremony(
    guardians: int,
    quorum: int,
    election: bytes,
    rng: Randomness | None = None,
    tamper: dict[tuple[int, int], Scalar] | None = None,
    honest_reveal: Sequence[int] = (),
) -> tuple[JointKey, list[GuardianKey]]:
    """Run the whole ceremony in one place (the demo plays every guardian).

    ``tamper[(dealer, recipient)]`` replaces a share in transit, for tests of the
    complaint path; a dealer in ``honest_reveal`` answers a complaint with the correct
    share (complaint dismissed), any other accused dealer is disqualified.
    """
    validate_parameters(guardians, quorum)
    dealers = [Dealer(i, quorum, election, rng) for i in range(1, guardians + 1)]
    for d in dealers:
        d.commitment.proof.verify(d.commitment.public_key, pop_context(election, d.guardian))
    tamper = tamper or {}
    received: dict[int, dict[int, Scalar]] = {}
    complaints: list[Complaint] = []
    disqualified: set[int] = set()
    for recipient in range(1, guardians + 1):
        received[recipient] = {}
        for d in dealers:
            share = tamper.get((d.guardian, recipient), d.share_for(recipient))
            if not d.commitment.check_share(recipient, share):
                revealed = d.share_for(recipient) if d.guardian in honest_reveal else share
                upheld = not d.commitment.check_share(recipient, revealed)
                complaints.append(Complaint(recipient, d.guardian, revealed, upheld))
                if upheld:
                    disqualified.add(d.guardian)
                share = revealed
            received[recipient][d.guardian] = share
    qualified = tuple(d.guardian for d in dealers if d.guardian not in disqualified)
    if not qualified:
        raise CeremonyError("every dealer was disqualified")
    public_key = product(d.commitment.public_key for d in dealers if d.guardian in qualified)
    joint = JointKey(
        guardians,
        quorum,
        tuple(d.commitment for d in dealers),
        tuple(complaints),
        qualified,
        public_key,
    )
    keys = []
    for recipient in range(1, guardians + 1):
        x = Scalar.reduce(sum(received[recipient][i].v for i in qualified))
        keys.append(GuardianKey(recipient, x, g_pow(x)))
    return joint, keys


def check_joint_key(joint: JointKey, election: bytes) -> list[str]:
    """Every problem with a published ceremony outcome (empty when sound)."""
    problems: list[str] = []
    seen = set()
    for c in joint.commitments:
        where = f"guardian {c.guardian}"
        if c.guardian in seen or not 1 <= c.guardian <= joint.guardians:
            problems.append(f"{where}: duplicate or out-of-range index")
        seen.add(c.guardian)
        if len(c.coefficients) != joint.quorum:
            problems.append(f"{where}: {len(c.coefficients)} commitments, quorum is {joint.quorum}")
        try:
            c.proof.verify(c.public_key, pop_context(election, c.guardian))
        except CryptoError as exc:
            problems.append(f"{where}: proof of possession fails ({exc})")
    if seen != set(range(1, joint.guardians + 1)):
        problems.append(f"guardians: expected 1..{joint.guardians}, found {sorted(seen)}")
    by = {c.guardian: c for c in joint.commitments}
    upheld_against = set()
    for n, comp in enumerate(joint.complaints):
        where = f"complaint {n} ({comp.accuser} against {comp.accused})"
        if comp.accused not in by:
            problems.append(f"{where}: unknown guardian")
            continue
        valid = comp.revealed is not None and by[comp.accused].check_share(comp.accuser, comp.revealed)
        if comp.upheld == valid:
            problems.append(f"{where}: resolution contradicts the revealed share")
        if not valid:
            upheld_against.add(comp.accused)
    expected = tuple(sorted(set(by) - upheld_against))
    if tuple(sorted(joint.qualified)) != expected:
        problems.append(f"qualified set {list(joint.qualified)} should be {list(expected)}")
    elif by:
        key = product(by[i].public_key for i in expected)
        if key != joint.public_key:
            problems.append("joint public key is not the product of the qualified guardians' keys")
    return problems
