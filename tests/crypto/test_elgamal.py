from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto.elgamal import DecodingTable, KeyPair, decrypt_with_secret, encrypt, reencrypt
from entekhab.crypto.errors import DecodingError
from entekhab.crypto.group import g_pow

from .strategies import PROPERTY, rng_from, seeds

TABLE = DecodingTable(700)


@PROPERTY
@given(seeds, st.integers(0, 699), st.integers(0, 699))
def test_roundtrip_homomorphism_and_reencryption(seed: bytes, m1: int, m2: int) -> None:
    rng = rng_from(seed)
    kp = KeyPair.generate(rng)
    c1 = encrypt(m1, kp.public, rng.scalar(), TABLE)
    c2 = encrypt(m2, kp.public, rng.scalar(), TABLE)
    assert TABLE.decode(decrypt_with_secret(c1, kp.secret)) == m1
    r = reencrypt(c1, kp.public, rng.scalar())
    assert r != c1
    assert TABLE.decode(decrypt_with_secret(r, kp.secret)) == m1
    total = decrypt_with_secret(c1 * c2, kp.secret)
    assert total == g_pow(m1 + m2)


def test_decoding_outside_table_is_an_error() -> None:
    with pytest.raises(DecodingError):
        TABLE.decode(g_pow(700))
    assert TABLE.decode_or(g_pow(700), -1) == -1
