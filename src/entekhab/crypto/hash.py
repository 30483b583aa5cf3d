"""Domain-separated hashing: SHA-512 to scalars, and the Fiat–Shamir transcript.

Every hash begins with ``entekhab/v1/<domain>`` and length-prefixes each part, so no
two different statements (or two proofs of different kinds) hash alike.
"""

from __future__ import annotations

import hashlib

from entekhab.crypto.group import ORDER, Element, Scalar

PREFIX = b"entekhab/v1/"


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(8, "little") + data


class Transcript:
    """Absorbs labelled parts; ``challenge()`` returns a scalar bound to all of them."""

    __slots__ = ("_h",)

    def __init__(self, domain: str) -> None:
        self._h = hashlib.sha512(PREFIX + _frame(domain.encode()))

    def bytes(self, label: str, data: bytes) -> Transcript:
        self._h.update(_frame(label.encode()) + _frame(data))
        return self

    def text(self, label: str, value: str) -> Transcript:
        return self.bytes(label, value.encode())

    def element(self, label: str, e: Element) -> Transcript:
        return self.bytes(label, e.b)

    def elements(self, label: str, es: list[Element]) -> Transcript:
        return self.bytes(label, b"".join(e.b for e in es))

    def scalar(self, label: str, s: Scalar) -> Transcript:
        return self.bytes(label, s.encode())

    def digest(self) -> bytes:
        return self._h.copy().digest()

    def challenge(self) -> Scalar:
        return Scalar.reduce(int.from_bytes(self._h.copy().digest(), "little"))


def hash_to_scalar(domain: str, *parts: bytes) -> Scalar:
    t = Transcript(domain)
    for i, p in enumerate(parts):
        t.bytes(str(i), p)
    return t.challenge()


def indexed_scalars(seed: bytes, domain: str, count: int) -> list[int]:
    """``count`` scalars (as ints) derived from ``seed``: H(domain, seed, i) for i < count."""
    base = hashlib.sha512(PREFIX + _frame(domain.encode()) + _frame(seed))
    out = []
    for i in range(count):
        h = base.copy()
        h.update(i.to_bytes(8, "little"))
        out.append(int.from_bytes(h.digest(), "little") % ORDER)
    return out


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
