from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto import sodium
from entekhab.crypto.elgamal import Ciphertext
from entekhab.crypto.errors import InvalidElement, InvalidScalar
from entekhab.crypto.group import IDENTITY, ORDER, Element, G, Scalar, g_pow, independent_generator

from .strategies import PROPERTY, rng_from, seeds

P = 2**255 - 19


def test_identity_rejected_unless_allowed() -> None:
    with pytest.raises(InvalidElement):
        Element(bytes(32))
    assert Element(bytes(32), allow_identity=True).is_identity


@pytest.mark.parametrize(
    "data",
    [
        P.to_bytes(32, "little"),  # field element not reduced
        (P + 2).to_bytes(32, "little"),
        (1).to_bytes(32, "little"),  # negative (odd) s is not canonical
        b"\xff" * 32,
        bytes(31),
        bytes(33),
    ],
)
def test_non_canonical_encodings_rejected(data: bytes) -> None:
    with pytest.raises(InvalidElement):
        Element(data)


@PROPERTY
@given(st.binary(min_size=32, max_size=32))
def test_random_bytes_either_rejected_or_canonical(data: bytes) -> None:
    try:
        e = Element(data, allow_identity=True)
    except InvalidElement:
        assert not sodium.is_valid_point(data)
    else:
        assert e.encode() == data


def test_scalar_range_checked() -> None:
    with pytest.raises(InvalidScalar):
        Scalar(ORDER)
    with pytest.raises(InvalidScalar):
        Scalar.decode(ORDER.to_bytes(32, "little"))
    with pytest.raises(InvalidScalar):
        Scalar(-1)
    assert Scalar.decode((ORDER - 1).to_bytes(32, "little")).v == ORDER - 1


def test_zero_exponent_and_identity_point_handled_explicitly() -> None:
    # libsodium refuses identity results; the group layer returns the identity instead.
    assert G**0 == IDENTITY
    assert g_pow(0) == IDENTITY
    assert g_pow(ORDER) == IDENTITY
    assert IDENTITY**5 == IDENTITY
    h = independent_generator(b"x")
    assert h**ORDER == IDENTITY
    assert (h**3) / (h**3) == IDENTITY


@PROPERTY
@given(seeds)
def test_exponent_laws(seed: bytes) -> None:
    rng = rng_from(seed)
    a, b = rng.scalar(), rng.scalar()
    h = independent_generator(seed)
    assert (h**a) ** b == h ** (a * b)
    assert (h**a) * (h**b) == h ** (a + b)
    assert g_pow(a) == Element.trusted(sodium.scalarmult(a.encode(), G.b))
    assert g_pow(a) * (g_pow(a) / g_pow(a)) == g_pow(a)


def test_ciphertext_rejects_identity_components() -> None:
    with pytest.raises(InvalidElement):
        Ciphertext(IDENTITY, G)
    with pytest.raises(InvalidElement):
        Ciphertext(G, IDENTITY)
    with pytest.raises(InvalidElement):
        Ciphertext.from_json([bytes(32).hex(), G.hex()])
