"""The faster paths compute exactly what the plain ones did, and still name what they refuse."""

from __future__ import annotations

from itertools import combinations

import pytest

from entekhab.crypto import sodium
from entekhab.crypto.decryption import _chain_is_cheaper, _small_lagrange, combine, lagrange_at_zero, make_share
from entekhab.crypto.elgamal import DecodingTable, KeyPair, encrypt
from entekhab.crypto.errors import ProofError
from entekhab.crypto.group import ORDER, Element, Scalar, g_pow
from entekhab.crypto.keyceremony import GuardianKey
from entekhab.crypto.shuffle import shuffle_and_prove, verify_shuffle

from .strategies import rng_from

TABLE = DecodingTable(16)


def _naive_blind(values: list[bytes], group: list[int]) -> bytes:
    acc = sodium.IDENTITY_BYTES
    for v, g in zip(values, group, strict=True):
        acc = sodium.add(acc, (Element.trusted(v) ** lagrange_at_zero(g, group)).b)
    return acc


@pytest.mark.parametrize("guardians,quorum", [(5, 3), (4, 2), (7, 4)])
def test_combine_decrypts_for_every_quorum(guardians: int, quorum: int) -> None:
    rng = rng_from(b"combine")
    coeffs = [rng.scalar().v for _ in range(quorum)]
    pk = g_pow(coeffs[0])
    keys = []
    for g in range(1, guardians + 1):
        x = sum(a * g**e for e, a in enumerate(coeffs)) % ORDER
        keys.append(GuardianKey(g, Scalar(x), g_pow(x)))
    ms = (3, 0, 7)
    row = tuple(b for m in ms for c in [encrypt(m, pk, rng.scalar(), TABLE)] for b in (c.alpha.b, c.beta.b))
    election = b"E" * 32
    shares = {k.guardian: make_share(k, row, election, rng) for k in keys}
    paths = set()
    for group in combinations(range(1, guardians + 1), quorum):
        nums, den = _small_lagrange(group)
        paths.add(_chain_is_cheaper(nums, den))
        got = combine(row, [shares[g] for g in group], quorum)
        assert [TABLE.decode(Element.trusted(x)) for x in got] == list(ms), group
        for k in range(len(ms)):  # same bytes as the plain Lagrange combination
            blind = _naive_blind([shares[g].values[k].b for g in group], list(group))
            assert got[k] == sodium.sub(row[2 * k + 1], blind)
    assert True in paths  # the additions-only chain is really exercised


def test_lagrange_numerators_are_exact() -> None:
    for group in [(1, 2, 3), (2, 4, 5), (1, 7), (3, 999, 1000)]:
        nums, den = _small_lagrange(group)
        for n, g in zip(nums, group, strict=True):
            assert n * pow(den, -1, ORDER) % ORDER == lagrange_at_zero(g, list(group))
    assert _small_lagrange((1, 2, 3)) == ((3, -3, 1), 1)


def _shuffle(seed: bytes):  # type: ignore[no-untyped-def]
    rng = rng_from(seed)
    kp = KeyPair.generate(rng)
    rows = [tuple(b for m in (i % 16, 1) for c in [encrypt(m, kp.public, rng.scalar(), TABLE)]
                  for b in (c.alpha.b, c.beta.b)) for i in range(20)]
    outputs, proof = shuffle_and_prove(rows, kp.public.b, b"fast", rng)
    return kp, rows, outputs, proof


NOT_A_POINT = bytes([0xFF] * 31 + [0x7F])  # 2^255 - 1: not a canonical encoding
assert not sodium.is_valid_point(NOT_A_POINT)


def test_invalid_elements_are_still_named_without_the_upfront_pass() -> None:
    kp, rows, outputs, proof = _shuffle(b"named")
    verify_shuffle(rows, outputs, proof, kp.public.b, b"fast", parts=2)
    bad_out = list(outputs)
    bad_out[17] = (bad_out[17][0], bad_out[17][1], NOT_A_POINT, bad_out[17][3])
    with pytest.raises(ProofError, match="output 17 slot 1: invalid"):
        verify_shuffle(rows, bad_out, proof, kp.public.b, b"fast")
    bad_in = list(rows)
    bad_in[3] = (NOT_A_POINT, *bad_in[3][1:])
    with pytest.raises(ProofError, match="input 3 slot 0: invalid"):
        verify_shuffle(bad_in, outputs, proof, kp.public.b, b"fast")
    ident = list(outputs)
    ident[0] = (sodium.IDENTITY_BYTES, *ident[0][1:])
    with pytest.raises(ProofError, match="output 0 slot 0: invalid or identity"):
        verify_shuffle(rows, ident, proof, kp.public.b, b"fast")
    from dataclasses import replace

    for field in ("commitments", "chain", "t_hat"):
        seq = list(getattr(proof, field))
        seq[5] = NOT_A_POINT
        with pytest.raises(ProofError, match="5"):
            verify_shuffle(rows, outputs, replace(proof, **{field: tuple(seq)}), kp.public.b, b"fast")


def test_parallel_chain_gives_the_very_same_proof_as_the_sequential_one() -> None:
    """Golden digest of a seeded shuffle computed by the sequential prover (commit debe1f9)."""
    import hashlib

    from entekhab.crypto import encoding
    from entekhab.crypto.group import Randomness

    rng = Randomness(b"golden")
    kp = KeyPair.generate(rng)
    rows = [tuple(b for m in (i % 16, (3 * i) % 16) for c in [encrypt(m, kp.public, rng.scalar(), TABLE)]
                  for b in (c.alpha.b, c.beta.b)) for i in range(37)]
    out, proof = shuffle_and_prove(rows, kp.public.b, b"golden", rng, parts=3)
    text = encoding.dumps({"o": [[x.hex() for x in r] for r in out], "p": proof.to_json()})
    assert hashlib.sha256(text).hexdigest() == "3ff1c59584673038bba2009d7b07aa7c21e0470eba0de70c6def962d1c678a20"
    verify_shuffle(rows, out, proof, kp.public.b, b"golden", parts=3)
