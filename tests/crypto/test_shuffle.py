"""The proof of shuffle verifies when honest and fails when any single element is altered."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto.elgamal import DecodingTable, KeyPair, decrypt_with_secret, encrypt
from entekhab.crypto.errors import ProofError
from entekhab.crypto.group import ORDER, Element
from entekhab.crypto.mixnet import MixServer, mix, stage_label, verify_stage
from entekhab.crypto.parallel import serial_map
from entekhab.crypto.shuffle import Row, ShuffleProof, shuffle_and_prove, verify_shuffle
from entekhab.records.signing import SigningKey

from .strategies import PROPERTY, other_element, rng_from, seeds

TABLE = DecodingTable(32)
LABEL = b"test-shuffle"


def _instance(seed: bytes, n: int, w: int) -> tuple[KeyPair, list[Row], list[tuple[int, ...]]]:
    rng = rng_from(seed)
    kp = KeyPair.generate(rng)
    rows, plain = [], []
    for i in range(n):
        ms = tuple((i * 7 + k) % 32 for k in range(w))
        cs = [encrypt(m, kp.public, rng.scalar(), TABLE) for m in ms]
        rows.append(tuple(x for c in cs for x in (c.alpha.b, c.beta.b)))
        plain.append(ms)
    return kp, rows, plain


def _decrypt(rows: list[Row], kp: KeyPair) -> Counter[tuple[int, ...]]:
    out: Counter[tuple[int, ...]] = Counter()
    for row in rows:
        ms = []
        for j in range(0, len(row), 2):
            from entekhab.crypto.elgamal import Ciphertext

            c = Ciphertext(Element.trusted(row[j]), Element.trusted(row[j + 1]))
            ms.append(TABLE.decode(decrypt_with_secret(c, kp.secret)))
        out[tuple(ms)] += 1
    return out


ELEMENT_FIELDS = ["commitments", "chain", "t1", "t2", "t3", "t4", "t_hat"]
SCALAR_FIELDS = ["s1", "s2", "s3", "s4", "s_hat", "s_prime"]


@PROPERTY
@given(seeds, st.integers(1, 5), st.integers(1, 3), st.data())
def test_shuffle_proof_sound_on_single_alterations(seed: bytes, n: int, w: int, data: st.DataObject) -> None:
    kp, rows, plain = _instance(seed, n, w)
    rng = rng_from(seed + b"mix")
    outputs, proof = shuffle_and_prove(rows, kp.public.b, LABEL, rng, serial_map, 2)
    verify_shuffle(rows, outputs, proof, kp.public.b, LABEL, serial_map, 2)
    assert _decrypt(outputs, kp) == Counter(plain)

    target = data.draw(st.sampled_from(["input", "output", "pk", "label", *ELEMENT_FIELDS, *SCALAR_FIELDS]))
    i = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(0, 2 * w - 1))
    fresh = other_element(Element.trusted(rows[i][j]), rng).b
    ins, outs, pk, label = list(rows), list(outputs), kp.public.b, LABEL
    if target == "input":
        ins[i] = (*ins[i][:j], fresh, *ins[i][j + 1 :])
    elif target == "output":
        outs[i] = (*outs[i][:j], fresh, *outs[i][j + 1 :])
    elif target == "pk":
        pk = fresh
    elif target == "label":
        label = LABEL + b"?"
    elif target in ("commitments", "chain", "t_hat"):
        seq = list(getattr(proof, target))
        seq[i] = fresh
        proof = replace(proof, **{target: tuple(seq)})
    elif target == "t4":
        t4 = list(proof.t4)
        t4[j // 2] = (fresh, t4[j // 2][1]) if j % 2 == 0 else (t4[j // 2][0], fresh)
        proof = replace(proof, t4=tuple(t4))
    elif target in ("t1", "t2", "t3"):
        proof = replace(proof, **{target: fresh})
    elif target in ("s1", "s2", "s3"):
        proof = replace(proof, **{target: (getattr(proof, target) + 1 + rng.below(ORDER - 1)) % ORDER})
    else:
        seq2 = list(getattr(proof, target))
        k = (i if target != "s4" else j // 2) % len(seq2)
        seq2[k] = (seq2[k] + 1 + rng.below(ORDER - 1)) % ORDER
        proof = replace(proof, **{target: tuple(seq2)})
    with pytest.raises(ProofError):
        verify_shuffle(ins, outs, proof, pk, label, serial_map, 2)


def test_swapped_dropped_or_duplicated_outputs_fail() -> None:
    kp, rows, _ = _instance(b"swap", 6, 2)
    outputs, proof = shuffle_and_prove(rows, kp.public.b, LABEL, rng_from(b"m"))
    swapped = [outputs[1], outputs[0], *outputs[2:]]
    for bad in (swapped, outputs[:-1], [*outputs[:-1], outputs[0]]):
        with pytest.raises(ProofError):
            verify_shuffle(rows, bad, proof, kp.public.b, LABEL)


def test_json_roundtrip_and_mixnet_of_three() -> None:
    kp, rows, plain = _instance(b"net", 8, 2)
    servers = [(MixServer(i, k.public_key), k) for i, k in enumerate(
        (SigningKey.from_seed(bytes([i]) * 32) for i in range(1, 4)), start=1)]
    listed = [s for s, _ in servers]
    stages = mix(rows, servers, kp.public.b, b"E" * 32, "small", rng_from(b"net"))
    current = rows
    for stage in stages:
        again = ShuffleProof.from_json(stage.proof.to_json())
        assert again == stage.proof
        verify_stage(current, stage, listed, kp.public.b, b"E" * 32, "small")
        current = stage.outputs
    assert _decrypt(current, kp) == Counter(plain)
    with pytest.raises(ProofError):  # proofs are bound to their stage label
        verify_shuffle(rows, stages[0].outputs, stages[0].proof, kp.public.b,
                       stage_label(b"E" * 32, "small", 2, listed[1].public_key))


def test_chunked_proving_and_verifying_agree_across_chunk_boundaries() -> None:
    kp, rows, plain = _instance(b"chunks", 70, 1)
    outputs, proof = shuffle_and_prove(rows, kp.public.b, LABEL, rng_from(b"c"), serial_map, 3)
    for parts in (1, 2, 3):
        verify_shuffle(rows, outputs, proof, kp.public.b, LABEL, serial_map, parts)
    bad = list(proof.t_hat)
    bad[40] = bad[39]
    with pytest.raises(ProofError):  # t_hat is hashed into the challenge: every position fails
        verify_shuffle(rows, outputs, replace(proof, t_hat=tuple(bad)), kp.public.b, LABEL, serial_map, 3)
    assert _decrypt(outputs, kp) == Counter(plain)
