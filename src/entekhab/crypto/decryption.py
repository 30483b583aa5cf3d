"""Threshold decryption of ballot vectors.

A guardian's share of a ballot is ``alpha_k^{x_l}`` for each slot ``k``, with one
Chaum–Pedersen proof that the same ``x_l`` (the log of its verification key) was used in
every slot.  Any quorum of shares is combined by Lagrange interpolation at 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import gcd

from entekhab.crypto import encoding, sodium
from entekhab.crypto.errors import CeremonyError
from entekhab.crypto.group import ORDER, Element, Randomness
from entekhab.crypto.keyceremony import GuardianKey
from entekhab.crypto.proofs import ChaumPedersenProof
from entekhab.crypto.shuffle import Row


def share_context(election: bytes) -> bytes:
    return b"decryption-share/" + election


def alphas(row: Row) -> list[Element]:
    return [Element.trusted(row[j]) for j in range(0, len(row), 2)]


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """Guardian ``guardian``'s partial decryption of one ballot vector."""

    guardian: int
    values: tuple[Element, ...]
    proof: ChaumPedersenProof

    def verify(self, verification_key: Element, row: Row, election: bytes) -> None:
        self.proof.verify(verification_key, alphas(row), self.values, share_context(election))

    def to_json(self) -> dict[str, object]:
        return {
            "guardian": self.guardian,
            "values": [v.hex() for v in self.values],
            "proof": self.proof.to_json(),
        }

    @staticmethod
    def from_json(value: object) -> DecryptionShare:
        d = encoding.obj(value, "decryption share", ("guardian", "values", "proof"))
        return DecryptionShare(
            encoding.integer(d["guardian"], "guardian", 1, 1000),
            tuple(Element.from_hex(v) for v in encoding.array(d["values"], "share values", 1000)),
            ChaumPedersenProof.from_json(d["proof"]),
        )


def make_share(key: GuardianKey, row: Row, election: bytes, rng: Randomness | None = None) -> DecryptionShare:
    bases = alphas(row)
    values = tuple(a**key.secret for a in bases)
    proof = ChaumPedersenProof.prove(key.secret, key.verification_key, bases, values, share_context(election), rng)
    return DecryptionShare(key.guardian, values, proof)


def share_chunk(key: GuardianKey, rows: list[Row], election: bytes, seed: bytes | None) -> list[DecryptionShare]:
    """A guardian's shares for many ballots (a ``pmap`` worker)."""
    rng = Randomness(seed) if seed is not None else None
    return [make_share(key, row, election, rng) for row in rows]


def lagrange_at_zero(guardian: int, group: Sequence[int]) -> int:
    """The coefficient of guardian ``guardian``'s share when ``group`` decrypts together."""
    num, den = 1, 1
    for j in group:
        if j != guardian:
            num = num * j % ORDER
            den = den * (j - guardian) % ORDER
    return num * pow(den, -1, ORDER) % ORDER


@lru_cache(maxsize=64)
def _small_lagrange(group: tuple[int, ...]) -> tuple[tuple[int, ...], int]:
    """Integer numerators ``N_l`` and one denominator ``D`` with ``λ_l = N_l / D`` exactly (as integers)."""
    nums, dens = [], []
    for i in group:
        num, den = 1, 1
        for j in group:
            if j != i:
                num *= j
                den *= j - i
        f = gcd(num, den) * (1 if den > 0 else -1)
        nums.append(num // f)
        dens.append(den // f)
    d = 1
    for x in dens:
        d = d * x // gcd(d, x)
    return tuple(n * (d // den) for n, den in zip(nums, dens, strict=True)), d


def _weighted_product(values: Sequence[bytes], weights: Sequence[int]) -> bytes:
    """``∏ values[l]^weights[l]`` for small signed integer weights, by one shared double-and-add chain.

    Why: libsodium adds in ~1/5 of a scalar multiplication, and the Lagrange numerators of
    a quorum are tiny (3, -3, 1 for guardians 1, 2, 3), so a few additions replace three
    full multiplications per slot.
    """
    groups: dict[int, tuple[bytes, int]] = {}  # |weight| -> (± sum of its values, sign of that sum)
    for v, w in zip(values, weights, strict=True):
        if w == 0:
            continue
        sign = 1 if w > 0 else -1
        if abs(w) not in groups:
            groups[abs(w)] = (v, sign)
        else:
            g, gs = groups[abs(w)]
            groups[abs(w)] = (sodium.add(g, v) if sign == gs else sodium.sub(g, v), gs)
    acc: bytes | None = None  # None is the identity, so no addition is spent on it
    for bit in range(max(groups, default=0).bit_length() - 1, -1, -1):
        if acc is not None:
            acc = sodium.add(acc, acc)
        for w, (g, gs) in groups.items():
            if w >> bit & 1:
                if acc is None:
                    acc = g if gs > 0 else sodium.sub(sodium.IDENTITY_BYTES, g)
                else:
                    acc = sodium.add(acc, g) if gs > 0 else sodium.sub(acc, g)
    return sodium.IDENTITY_BYTES if acc is None else acc


_ADDS_PER_MULTIPLICATION = 5
"""Measured: one libsodium ristretto255 scalar multiplication costs about five additions."""


@lru_cache(maxsize=64)
def _chain_is_cheaper(nums: tuple[int, ...], den: int) -> bool:
    """Additions of the shared chain (plus one multiplication by 1/D) against one multiplication per share."""
    bits = max(abs(n) for n in nums).bit_length()
    cost = bits + sum(bin(abs(n)).count("1") for n in nums) + (_ADDS_PER_MULTIPLICATION if den != 1 else 0)
    return cost < len(nums) * (_ADDS_PER_MULTIPLICATION + 1)


def combine(row: Row, shares: Sequence[DecryptionShare], quorum: int) -> list[bytes]:
    """``g^{m_k}`` for every slot, from ``quorum`` shares of distinct guardians."""
    guardians = [s.guardian for s in shares]
    if len(set(guardians)) != len(guardians):
        raise CeremonyError("two shares from the same guardian")
    if len(shares) < quorum:
        raise CeremonyError(
            "%(shares)s shares, %(quorum)s needed to decrypt", params={"shares": len(shares), "quorum": quorum},
            code="below_quorum",
        )
    used = shares[:quorum]
    group = [s.guardian for s in used]
    nums, den = _small_lagrange(tuple(group))
    out = []
    if _chain_is_cheaper(nums, den):
        inv_den = pow(den, -1, ORDER).to_bytes(32, "little")
        for k in range(len(row) // 2):
            blind = _weighted_product([s.values[k].b for s in used], nums)
            if den != 1:
                blind = sodium.scalarmult(inv_den, blind)
            out.append(sodium.sub(row[2 * k + 1], blind))
        return out
    lambdas = [lagrange_at_zero(g, group) for g in group]
    for k in range(len(row) // 2):
        blind = sodium.IDENTITY_BYTES
        for s, lam in zip(used, lambdas, strict=True):
            blind = sodium.add(blind, (s.values[k] ** lam).b)
        out.append(sodium.sub(row[2 * k + 1], blind))
    return out
