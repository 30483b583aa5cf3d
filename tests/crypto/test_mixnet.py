"""Mix servers as named key holders: each stage is signed by the server whose turn it is.

Every attack below must be refused and the refusal must name the stage (its record path).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from entekhab.crypto import encoding
from entekhab.crypto.elgamal import Ciphertext, DecodingTable, KeyPair, decrypt_with_secret, encrypt
from entekhab.crypto.group import Element
from entekhab.crypto.mixnet import (
    MIN_MIX_SERVERS,
    MixError,
    MixServer,
    SignedMixStage,
    check_mix_servers,
    mix,
    rows_digest,
    servers_from_json,
    servers_to_json,
    verify_mix,
    verify_stage,
)
from entekhab.crypto.shuffle import Row, reencrypt_chunk
from entekhab.records.signing import SigningKey

from .strategies import rng_from

TABLE = DecodingTable(16)
FP = bytes(range(32))
STYLE = "tehran"
KEYS = [SigningKey.from_seed(bytes([i]) * 32) for i in range(1, 5)]
SERVERS = [MixServer(i, k.public_key) for i, k in enumerate(KEYS[:3], start=1)]
OUTSIDER = SigningKey.from_seed(b"\x99" * 32)


def _rows(seed: bytes, n: int = 5, w: int = 2) -> tuple[KeyPair, list[Row], Counter[tuple[int, ...]]]:
    rng = rng_from(seed)
    kp = KeyPair.generate(rng)
    rows, plain = [], Counter[tuple[int, ...]]()
    for i in range(n):
        ms = tuple((3 * i + k) % 16 for k in range(w))
        cs = [encrypt(m, kp.public, rng.scalar(), TABLE) for m in ms]
        rows.append(tuple(x for c in cs for x in (c.alpha.b, c.beta.b)))
        plain[ms] += 1
    return kp, rows, plain


def _plain(rows: list[Row], kp: KeyPair) -> Counter[tuple[int, ...]]:
    out = Counter[tuple[int, ...]]()
    for row in rows:
        ms = tuple(
            TABLE.decode(decrypt_with_secret(Ciphertext(Element.trusted(row[j]), Element.trusted(row[j + 1])),
                                             kp.secret))
            for j in range(0, len(row), 2)
        )
        out[ms] += 1
    return out


@pytest.fixture(scope="module")
def honest() -> tuple[KeyPair, list[Row], Counter[tuple[int, ...]], list[SignedMixStage]]:
    kp, rows, plain = _rows(b"honest")
    stages = mix(rows, list(zip(SERVERS, KEYS, strict=False)), kp.public.b, FP, STYLE, rng_from(b"mix"))
    return kp, rows, plain, stages


def _resign(stage: SignedMixStage, key: SigningKey, **changes: object) -> SignedMixStage:
    draft = replace(stage, **changes)  # type: ignore[arg-type]
    return replace(draft, signature=key.sign(draft.message()))


def test_honest_three_server_mix_verifies_and_round_trips(honest) -> None:  # type: ignore[no-untyped-def]
    kp, rows, plain, stages = honest
    assert [(s.stage, s.server) for s in stages] == [(1, 1), (2, 2), (3, 3)]
    parsed = [SignedMixStage.from_json(encoding.loads(encoding.dumps(s.to_json()))) for s in stages]
    assert parsed == stages
    final, problems = verify_mix(rows, parsed, SERVERS, kp.public.b, FP, STYLE)
    assert problems == []
    assert _plain(final, kp) == plain
    assert stages[0].inputs_digest == rows_digest(rows)
    assert stages[1].inputs_digest == rows_digest(stages[0].outputs)
    assert set(stages[0].to_json()) == {"kind", "fingerprint", "style", "stage", "server", "inputs_digest",
                                        "outputs", "proof", "signature"}


def test_stage_signed_by_a_key_not_in_the_list_is_refused(honest) -> None:  # type: ignore[no-untyped-def]
    kp, _, _, stages = honest
    forged = _resign(stages[1], OUTSIDER)
    with pytest.raises(MixError, match="signature of mix server 2") as exc:
        verify_stage(stages[0].outputs, forged, SERVERS, kp.public.b, FP, STYLE)
    assert exc.value.location == "mix/tehran/stage-2.json"


def test_stage_signed_by_the_wrong_server_is_refused(honest) -> None:  # type: ignore[no-untyped-def]
    kp, _, _, stages = honest
    claims_3 = _resign(stages[1], KEYS[2], server=3)  # server 3 signs stage 2 under its own name
    with pytest.raises(MixError, match="signed as server 3") as exc:
        verify_stage(stages[0].outputs, claims_3, SERVERS, kp.public.b, FP, STYLE)
    assert exc.value.location == "mix/tehran/stage-2.json"
    poses_as_2 = _resign(stages[1], KEYS[2])  # server 3 signs stage 2 claiming to be server 2
    with pytest.raises(MixError, match="signature of mix server 2"):
        verify_stage(stages[0].outputs, poses_as_2, SERVERS, kp.public.b, FP, STYLE)


def test_mix_refuses_a_key_that_is_not_the_listed_one() -> None:
    kp, rows, _ = _rows(b"k", 2, 1)
    with pytest.raises(MixError, match="not its listed public key"):
        mix(rows, [(SERVERS[0], KEYS[1])], kp.public.b, FP, STYLE, rng_from(b"x"))


def test_two_servers_are_below_the_minimum(honest) -> None:  # type: ignore[no-untyped-def]
    kp, rows, _, stages = honest
    assert MIN_MIX_SERVERS == 3
    assert check_mix_servers(SERVERS) == []
    assert any("at least 3" in str(p) for p in check_mix_servers(SERVERS[:2]))
    _, problems = verify_mix(rows, stages[:2], SERVERS[:2], kp.public.b, FP, STYLE)
    assert [loc for loc, _ in problems] == ["election.json mix servers"]
    assert any("minimum is 3" in str(p) for p in check_mix_servers(SERVERS, minimum=2))  # never fewer
    four = [*SERVERS, MixServer(4, KEYS[3].public_key)]
    assert check_mix_servers(four, minimum=4) == []  # more is allowed
    assert any("at least 4" in str(p) for p in check_mix_servers(SERVERS, minimum=4))


def test_server_list_order_and_distinct_keys() -> None:
    shuffled = [SERVERS[1], SERVERS[0], SERVERS[2]]
    assert any("has index 2" in str(p) for p in check_mix_servers(shuffled))
    twins = [SERVERS[0], SERVERS[1], MixServer(3, SERVERS[0].public_key)]
    assert any("share one public key" in str(p) for p in check_mix_servers(twins))


def test_a_missing_stage_is_located(honest) -> None:  # type: ignore[no-untyped-def]
    kp, rows, _, stages = honest
    _, problems = verify_mix(rows, [stages[0], stages[2]], SERVERS, kp.public.b, FP, STYLE)
    assert ("mix/tehran/stage-2.json", "mix stage 2 is missing") in [(loc, str(m)) for loc, m in problems]
    where = {loc: str(m) for loc, m in problems}
    assert "inputs are not the previous stage's outputs" in where["mix/tehran/stage-3.json"]
    _, twice = verify_mix(rows, [*stages, stages[2]], SERVERS, kp.public.b, FP, STYLE)
    assert [(loc, str(m)) for loc, m in twice] == [("mix/tehran/stage-3.json", "mix stage 3 appears twice")]


def test_outputs_swapped_for_a_reencryption_of_other_rows_fail_the_proof(honest) -> None:  # type: ignore[no-untyped-def]
    kp, rows, _, stages = honest
    inputs = stages[0].outputs
    other = [inputs[0], *inputs[:-1]]  # first ballot doubled, last one dropped
    rng = rng_from(b"cheat")
    fake = reencrypt_chunk(other, kp.public.b, [[rng.scalar().v for _ in range(2)] for _ in other])
    cheat = _resign(stages[1], KEYS[1], outputs=fake)  # the rightful server signs its own cheat
    with pytest.raises(MixError, match="proof of shuffle does not verify") as exc:
        verify_stage(inputs, cheat, SERVERS, kp.public.b, FP, STYLE)
    assert exc.value.location == "mix/tehran/stage-2.json"
    _, problems = verify_mix(rows, [stages[0], cheat, stages[2]], SERVERS, kp.public.b, FP, STYLE)
    assert [loc for loc, _ in problems] == ["mix/tehran/stage-2.json", "mix/tehran/stage-3.json"]


def test_stage_is_bound_to_fingerprint_style_and_inputs(honest) -> None:  # type: ignore[no-untyped-def]
    kp, rows, _, stages = honest
    with pytest.raises(MixError, match="another election or style"):
        verify_stage(rows, stages[0], SERVERS, kp.public.b, bytes(32), STYLE)
    moved = _resign(stages[0], KEYS[0], fingerprint=bytes(32))  # same proof, relabelled election
    with pytest.raises(MixError, match="proof of shuffle"):
        verify_stage(rows, moved, SERVERS, kp.public.b, bytes(32), STYLE)
    with pytest.raises(MixError, match="inputs are not"):
        verify_stage(stages[0].outputs, stages[0], SERVERS, kp.public.b, FP, STYLE)


def test_reencoded_hex_and_unknown_keys_are_refused(honest) -> None:  # type: ignore[no-untyped-def]
    stages = honest[3]
    good = stages[0].to_json()
    upper_output = {**good, "outputs": [[good["outputs"][0][0].upper(), *good["outputs"][0][1:]],  # type: ignore[index]
                                        *good["outputs"][1:]]}  # type: ignore[index]
    proof = dict(good["proof"])  # type: ignore[arg-type]
    proof["t1"] = proof["t1"].upper()
    upper_proof = {**good, "proof": proof}
    bad_proof_key = {**good, "proof": {**good["proof"], "extra": 1}}  # type: ignore[dict-item]
    upper_sig = {**good, "signature": str(good["signature"]).upper()}
    for bad in (upper_output, upper_proof, bad_proof_key, upper_sig, {**good, "extra": 1}, {**good, "stage": True},
                {**good, "kind": "mix"}):
        with pytest.raises(encoding.EncodingError):
            SignedMixStage.from_json(bad)


def test_server_list_json_is_strict() -> None:
    data = servers_to_json(SERVERS)
    assert servers_from_json(encoding.loads(encoding.dumps(data))) == SERVERS
    bad_lists = (
        [{**data[0], "extra": 1}, *data[1:]],
        [{**data[0], "public_key": str(data[0]["public_key"]).upper()}, *data[1:]],
        [{**data[0], "index": True}, *data[1:]],
        [{**data[0], "index": 0}, *data[1:]],
        {"servers": data},
    )
    for bad in bad_lists:
        with pytest.raises(encoding.EncodingError):
            servers_from_json(bad)
