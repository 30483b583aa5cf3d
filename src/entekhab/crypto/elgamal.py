"""Exponential ElGamal: ``(g^r, g^m · h^r)`` encrypts a small index ``m``.

Additively homomorphic and re-randomisable, which the mix-net needs; decoding ``g^m``
back to ``m`` is a table lookup because indexes stay below a few thousand.
"""

from __future__ import annotations

from dataclasses import dataclass

from entekhab.crypto import sodium
from entekhab.crypto.errors import DecodingError, InvalidElement
from entekhab.crypto.group import Element, G, Randomness, Scalar, g_pow, random_scalar


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """``alpha = g^r``, ``beta = g^m h^r``; neither may be the identity."""

    alpha: Element
    beta: Element

    def __post_init__(self) -> None:
        if self.alpha.is_identity or self.beta.is_identity:
            raise InvalidElement("a ciphertext component is the identity")

    @staticmethod
    def from_hex(alpha: str, beta: str) -> Ciphertext:
        return Ciphertext(Element.from_hex(alpha), Element.from_hex(beta))

    def encode(self) -> bytes:
        return self.alpha.b + self.beta.b

    def to_json(self) -> list[str]:
        return [self.alpha.hex(), self.beta.hex()]

    @staticmethod
    def from_json(value: object) -> Ciphertext:
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
            raise InvalidElement("a ciphertext must be a pair of hex strings")
        return Ciphertext.from_hex(value[0], value[1])

    def __mul__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha * other.alpha, self.beta * other.beta)


def encrypt(m: int, public_key: Element, r: Scalar, table: DecodingTable | None = None) -> Ciphertext:
    """Encrypt index ``m`` with the given randomness (``r`` is kept for the ballot proof)."""
    gm = table.element(m) if table is not None and m < len(table) else g_pow(m)
    alpha = g_pow(r)
    beta = gm * (public_key**r)
    return Ciphertext(alpha, beta)


def reencrypt(c: Ciphertext, public_key: Element, r: Scalar) -> Ciphertext:
    """Multiply by an encryption of 0: same plaintext, unlinkable randomness."""
    return Ciphertext(c.alpha * g_pow(r), c.beta * (public_key**r))


def decrypt_with_secret(c: Ciphertext, secret: Scalar) -> Element:
    """``g^m`` for a single holder of the secret (tests; guardians use threshold shares)."""
    return c.beta / (c.alpha**secret)


@dataclass(frozen=True, slots=True)
class KeyPair:
    secret: Scalar
    public: Element

    @staticmethod
    def generate(rng: Randomness | None = None) -> KeyPair:
        s = random_scalar(rng)
        return KeyPair(s, g_pow(s))


class DecodingTable:
    """``g^m`` for ``0 ≤ m < size``, both ways, built by repeated addition (cheap)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("decoding table needs at least one entry")
        powers = [sodium.IDENTITY_BYTES]
        acc = sodium.IDENTITY_BYTES
        for _ in range(size - 1):
            acc = sodium.add(acc, G.b)
            powers.append(acc)
        self._powers = powers
        self._index = {p: m for m, p in enumerate(powers)}

    def __len__(self) -> int:
        return len(self._powers)

    def element(self, m: int) -> Element:
        return Element.trusted(self._powers[m])

    def decode_or(self, gm: Element, default: int) -> int:
        """The index, or ``default`` for an element outside the table (an invalid slot)."""
        return self._index.get(gm.b, default)

    def decode(self, gm: Element) -> int:
        m = self._index.get(gm.b)
        if m is None:
            raise DecodingError(
                "decrypted element is not g^m for m < %(self)s", params={"self": len(self)},
            )
        return m
