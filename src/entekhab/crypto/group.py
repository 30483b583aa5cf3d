"""The prime-order group ristretto255, written multiplicatively.

``Element`` and ``Scalar`` are the only ways bytes enter the arithmetic: decoding checks
canonical encoding, and callers say whether the identity is allowed (it never is for a
public key, a commitment or a ciphertext component).  Arithmetic is libsodium's.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Final

from entekhab.crypto import sodium
from entekhab.crypto.errors import InvalidElement, InvalidScalar

ORDER: Final = 2**252 + 27742317777372353535851937790883648493
"""The order ℓ of ristretto255 (and of every non-identity element)."""


_HEX = frozenset("0123456789abcdef")


def _canonical_hex(text: object) -> bool:
    return isinstance(text, str) and len(text) == 64 and _HEX.issuperset(text)


class Scalar:
    """An integer modulo ``ORDER``; immutable, canonical."""

    __slots__ = ("v",)
    v: int

    def __init__(self, value: int) -> None:
        if not 0 <= value < ORDER:
            raise InvalidScalar("scalar out of range [0, ℓ): %(value)s", params={"value": value})
        object.__setattr__(self, "v", value)

    @staticmethod
    def reduce(value: int) -> Scalar:
        s = object.__new__(Scalar)
        object.__setattr__(s, "v", value % ORDER)
        return s

    @staticmethod
    def decode(data: bytes) -> Scalar:
        """Parse 32 little-endian bytes, refusing non-canonical values (≥ ℓ)."""
        if len(data) != 32:
            raise InvalidScalar("scalar must be 32 bytes, got %(data)s", params={"data": len(data)})
        return Scalar(int.from_bytes(data, "little"))

    @staticmethod
    def from_hex(text: str) -> Scalar:
        """Exactly 64 lowercase hex digits (the one form ``hex()`` writes)."""
        if not _canonical_hex(text):
            raise InvalidScalar("scalar is not 64 lowercase hex digits: %(text)s", params={"text": repr(text)[:80]})
        return Scalar.decode(bytes.fromhex(text))

    def encode(self) -> bytes:
        return self.v.to_bytes(32, "little")

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (Scalar, (self.v,))

    def hex(self) -> str:
        return self.encode().hex()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Scalar is immutable")

    def __add__(self, other: Scalar) -> Scalar:
        return Scalar.reduce(self.v + other.v)

    def __sub__(self, other: Scalar) -> Scalar:
        return Scalar.reduce(self.v - other.v)

    def __mul__(self, other: Scalar) -> Scalar:
        return Scalar.reduce(self.v * other.v)

    def __neg__(self) -> Scalar:
        return Scalar.reduce(-self.v)

    def inverse(self) -> Scalar:
        if self.v == 0:
            raise InvalidScalar("zero has no inverse")
        return Scalar(pow(self.v, -1, ORDER))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scalar) and other.v == self.v

    def __hash__(self) -> int:
        return hash(("Scalar", self.v))

    def __repr__(self) -> str:
        return f"Scalar({self.v:#x})"


class Element:
    """A ristretto255 group element, held as its canonical 32-byte encoding."""

    __slots__ = ("b",)
    b: bytes

    def __init__(self, data: bytes, *, allow_identity: bool = False) -> None:
        if not isinstance(data, bytes | bytearray) or not sodium.is_valid_point(bytes(data)):
            raise InvalidElement("not a canonical ristretto255 encoding")
        if not allow_identity and data == sodium.IDENTITY_BYTES:
            raise InvalidElement("the identity element is not allowed here")
        object.__setattr__(self, "b", bytes(data))

    @staticmethod
    def trusted(data: bytes) -> Element:
        """Wrap bytes produced by libsodium itself (no re-validation on hot paths)."""
        e = object.__new__(Element)
        object.__setattr__(e, "b", data)
        return e

    @staticmethod
    def from_hex(text: str, *, allow_identity: bool = False) -> Element:
        """Exactly 64 lowercase hex digits (the one form ``hex()`` writes)."""
        if not _canonical_hex(text):
            raise InvalidElement("element is not 64 lowercase hex digits: %(text)s", params={"text": repr(text)[:80]})
        return Element(bytes.fromhex(text), allow_identity=allow_identity)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Element is immutable")

    def encode(self) -> bytes:
        return self.b

    def __reduce__(self) -> tuple[object, tuple[bytes]]:
        return (Element.trusted, (self.b,))

    def hex(self) -> str:
        return self.b.hex()

    @property
    def is_identity(self) -> bool:
        return self.b == sodium.IDENTITY_BYTES

    def __mul__(self, other: Element) -> Element:
        return Element.trusted(sodium.add(self.b, other.b))

    def __truediv__(self, other: Element) -> Element:
        return Element.trusted(sodium.sub(self.b, other.b))

    def __pow__(self, exponent: Scalar | int) -> Element:
        v = exponent.v if isinstance(exponent, Scalar) else exponent % ORDER
        if v == 0:
            return IDENTITY
        if self.b == G.b:
            return Element.trusted(sodium.scalarmult_base(v.to_bytes(32, "little")))
        return Element.trusted(sodium.scalarmult(v.to_bytes(32, "little"), self.b))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Element) and other.b == self.b

    def __hash__(self) -> int:
        return hash(self.b)

    def __repr__(self) -> str:
        return f"Element({self.b.hex()[:16]}…)"


IDENTITY: Final = Element(sodium.IDENTITY_BYTES, allow_identity=True)
G: Final = Element.trusted(sodium.scalarmult_base((1).to_bytes(32, "little")))
"""The standard ristretto255 generator."""


def g_pow(exponent: Scalar | int) -> Element:
    """``g`` raised to ``exponent`` through libsodium's fixed-base table."""
    v = exponent.v if isinstance(exponent, Scalar) else exponent % ORDER
    return Element.trusted(sodium.scalarmult_base(v.to_bytes(32, "little")))


def product(elements: Iterable[Element]) -> Element:
    acc = sodium.IDENTITY_BYTES
    for e in elements:
        acc = sodium.add(acc, e.b)
    return Element.trusted(acc)


def independent_generator(label: bytes) -> Element:
    """A generator whose discrete log to ``g`` nobody knows (hash to group, domain-tagged)."""
    digest = hashlib.sha512(b"entekhab/v1/generator\x00" + label).digest()
    return Element.trusted(sodium.from_hash(digest))


def random_scalar(rng: Randomness | None = None) -> Scalar:
    """A uniform non-zero scalar."""
    return (rng or SYSTEM_RANDOMNESS).scalar()


class Randomness:
    """Source of scalars: the OS by default; a seeded stream for reproducible demos/tests."""

    def __init__(self, seed: bytes | None = None) -> None:
        self._seed = seed
        self._counter = 0

    @property
    def deterministic(self) -> bool:
        return self._seed is not None

    def bytes64(self) -> bytes:
        if self._seed is None:
            return secrets.token_bytes(64)
        self._counter += 1
        return hashlib.sha512(b"entekhab/v1/drbg\x00" + self._seed + self._counter.to_bytes(8, "little")).digest()

    def scalar(self) -> Scalar:
        while True:
            v = int.from_bytes(self.bytes64(), "little") % ORDER
            if v:
                return Scalar(v)

    def below(self, n: int) -> int:
        """Uniform integer in ``[0, n)`` (for permutations)."""
        return int.from_bytes(self.bytes64(), "little") % n

    def spawn(self, label: bytes) -> Randomness:
        """An independent stream for a sub-task (so parallel work stays reproducible)."""
        if self._seed is None:
            return Randomness()
        return Randomness(hashlib.sha512(self._seed + b"/" + label).digest())


SYSTEM_RANDOMNESS: Final = Randomness()
