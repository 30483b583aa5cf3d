"""Each proof verifies when honest and fails when any single element is altered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto.elgamal import Ciphertext, KeyPair, encrypt
from entekhab.crypto.errors import ProofError
from entekhab.crypto.group import g_pow
from entekhab.crypto.proofs import ChaumPedersenProof, RandomnessProof, SchnorrProof

from .strategies import PROPERTY, other_element, other_scalar, rng_from, seeds


@PROPERTY
@given(seeds, st.integers(0, 3))
def test_schnorr(seed: bytes, which: int) -> None:
    rng = rng_from(seed)
    x = rng.scalar()
    k = g_pow(x)
    ctx = b"ctx" + seed
    proof = SchnorrProof.prove(x, k, ctx, rng)
    proof.verify(k, ctx)
    if which == 0:
        k = other_element(k, rng)
    elif which == 1:
        ctx = ctx + b"!"
    elif which == 2:
        proof = SchnorrProof(other_scalar(proof.challenge, rng), proof.response)
    else:
        proof = SchnorrProof(proof.challenge, other_scalar(proof.response, rng))
    with pytest.raises(ProofError):
        proof.verify(k, ctx)


@PROPERTY
@given(seeds, st.integers(1, 4), st.data())
def test_chaum_pedersen(seed: bytes, width: int, data: st.DataObject) -> None:
    rng = rng_from(seed)
    x = rng.scalar()
    k = g_pow(x)
    bases = [g_pow(rng.scalar()) for _ in range(width)]
    values = [a**x for a in bases]
    ctx = b"share"
    proof = ChaumPedersenProof.prove(x, k, bases, values, ctx, rng)
    proof.verify(k, bases, values, ctx)
    which = data.draw(st.sampled_from(["k", "base", "value", "c", "z", "ctx"]))
    i = data.draw(st.integers(0, width - 1))
    if which == "k":
        k = other_element(k, rng)
    elif which == "base":
        bases[i] = other_element(bases[i], rng)
    elif which == "value":
        values[i] = other_element(values[i], rng)
    elif which == "c":
        proof = ChaumPedersenProof(other_scalar(proof.challenge, rng), proof.response)
    elif which == "z":
        proof = ChaumPedersenProof(proof.challenge, other_scalar(proof.response, rng))
    else:
        ctx = b"other"
    with pytest.raises(ProofError):
        proof.verify(k, bases, values, ctx)


def test_chaum_pedersen_with_wrong_secret_fails() -> None:
    rng = rng_from(b"cheat")
    x, y = rng.scalar(), rng.scalar()
    a = g_pow(rng.scalar())
    proof = ChaumPedersenProof.prove(x, g_pow(x), [a], [a**y], b"c", rng)
    with pytest.raises(ProofError):
        proof.verify(g_pow(x), [a], [a**y], b"c")


@PROPERTY
@given(seeds, st.integers(1, 5), st.data())
def test_ballot_randomness_proof(seed: bytes, width: int, data: st.DataObject) -> None:
    rng = rng_from(seed)
    kp = KeyPair.generate(rng)
    nonces = [rng.scalar() for _ in range(width)]
    slots = [encrypt(k, kp.public, r) for k, r in enumerate(nonces)]
    ctx = b"election/style/device/1"
    proof = RandomnessProof.prove(slots, nonces, ctx, rng)
    proof.verify(slots, ctx)
    which = data.draw(st.sampled_from(["alpha", "beta", "c", "z", "ctx", "drop"]))
    i = data.draw(st.integers(0, width - 1))
    if which == "alpha":
        slots[i] = Ciphertext(other_element(slots[i].alpha, rng), slots[i].beta)
    elif which == "beta":
        slots[i] = Ciphertext(slots[i].alpha, other_element(slots[i].beta, rng))
    elif which == "c":
        proof = RandomnessProof(other_scalar(proof.challenge, rng), proof.responses)
    elif which == "z":
        zs = list(proof.responses)
        zs[i] = other_scalar(zs[i], rng)
        proof = RandomnessProof(proof.challenge, tuple(zs))
    elif which == "ctx":
        ctx = b"election/style/device/2"  # the same ballot replayed elsewhere
    else:
        slots = slots[:i] + slots[i + 1 :]
    with pytest.raises(ProofError):
        proof.verify(slots, ctx)
