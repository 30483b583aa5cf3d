from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto import encoding
from entekhab.crypto.ballot import (
    BallotDevice,
    BallotId,
    BallotStyle,
    CastBallot,
    ClosingStatement,
    EncryptedBallot,
    PlaintextBallot,
    SignatureError,
    SpoiledBallot,
    StyleId,
)
from entekhab.crypto.elgamal import DecodingTable, KeyPair, decrypt_with_secret
from entekhab.crypto.errors import CryptoError, ProofError
from entekhab.crypto.tracking import chain_link, chain_start, short_code
from entekhab.records.signing import SigningKey

from .strategies import PROPERTY, rng_from, seeds

STYLE = BallotStyle(StyleId("s"), (4, 7, 2))
RUNS = BallotStyle(StyleId("r"), (5, 5, 5, 3), runs=(3, 1))
TABLE = DecodingTable(8)
FP = b"E" * 32
KEY = SigningKey.from_seed(b"k" * 32)


def _device(seed: bytes, serial: str = "EBOX-1") -> tuple[BallotDevice, KeyPair]:
    rng = rng_from(seed)
    kp = KeyPair.generate(rng)
    return BallotDevice(FP, serial, kp.public, TABLE, KEY, rng), kp


def _roundtrip(value: object, cls: type) -> object:
    return cls.from_json(encoding.loads(encoding.dumps(value.to_json())))  # type: ignore[attr-defined]


@PROPERTY
@given(seeds, st.lists(st.tuples(st.integers(0, 4), st.integers(0, 7), st.integers(0, 2)), min_size=1, max_size=4))
def test_encrypt_cast_chain_and_decrypt(seed: bytes, choices: list[tuple[int, int, int]]) -> None:
    dev, kp = _device(seed)
    head = chain_start(FP, "EBOX-1")
    for n, sel in enumerate(choices, start=1):
        enc, _ = dev.encrypt(PlaintextBallot(STYLE, sel))
        enc.verify(FP)
        cast = dev.cast(enc)
        cast.verify(FP, KEY.public_key)
        assert (cast.sequence, cast.previous, cast.link) == (n, head, chain_link(head, enc.tracker))
        head = cast.link
        assert _roundtrip(enc, EncryptedBallot) == enc
        assert _roundtrip(cast, CastBallot) == cast
        assert tuple(TABLE.decode(decrypt_with_secret(c, kp.secret)) for c in enc.slots) == sel


def test_ballot_id_is_random_and_the_tracker_is_not_chained() -> None:
    dev, _ = _device(b"ids")
    a, _ = dev.encrypt(PlaintextBallot(STYLE, (1, 2, 0)))
    b, _ = dev.encrypt(PlaintextBallot(STYLE, (1, 2, 0)))
    for x in (a, b):
        assert re.fullmatch(r"[0-9a-f]{32}", x.ballot_id)
        assert x.compute_tracker(FP) == x.tracker
        assert set(x.to_json()) == {"id", "style", "device", "slots", "proof", "tracker"}
    assert a.ballot_id != b.ballot_id and a.tracker != b.tracker
    # the tracker depends on the ballot only, not on what the device did before
    dev.cast(b)
    dev.cast(a)
    assert a.compute_tracker(FP) == a.tracker


def test_selection_out_of_range_refused() -> None:
    with pytest.raises(CryptoError):
        PlaintextBallot(STYLE, (5, 0, 0))
    with pytest.raises(CryptoError):
        PlaintextBallot(STYLE, (1, 1))


def test_proof_is_bound_to_ballot_id_device_and_fingerprint() -> None:
    dev, _ = _device(b"copy")
    first, _ = dev.encrypt(PlaintextBallot(STYLE, (1, 2, 0)))
    second, _ = dev.encrypt(PlaintextBallot(STYLE, (3, 3, 1)))
    for replayed in (
        EncryptedBallot(second.ballot_id, first.style_id, first.device, first.slots, first.proof, first.tracker),
        EncryptedBallot(first.ballot_id, first.style_id, "EBOX-2", first.slots, first.proof, first.tracker),  # type: ignore[arg-type]
    ):
        with pytest.raises(ProofError, match="proof"):
            replayed.verify(FP)
        fixed = EncryptedBallot(replayed.ballot_id, replayed.style_id, replayed.device, replayed.slots,
                                replayed.proof, replayed.compute_tracker(FP))
        with pytest.raises(ProofError, match="proof"):
            fixed.verify(FP)
    with pytest.raises(ProofError):
        first.verify(b"F" * 32)
    forged = EncryptedBallot(BallotId("00" * 16), first.style_id, first.device, first.slots, first.proof,
                             first.tracker)
    with pytest.raises(ProofError):
        forged.verify(FP)


def test_canonical_form_inside_each_contest() -> None:
    assert RUNS.runs == (3, 1) and STYLE.runs == (1, 1, 1)
    assert RUNS.canonical((3, 0, 1, 2)) == (1, 3, 0, 2)
    assert RUNS.canonical((0, 0, 0, 3)) == (0, 0, 0, 3)
    assert RUNS.is_canonical((1, 3, 0, 2)) and not RUNS.is_canonical((3, 1, 0, 2))
    assert not RUNS.is_canonical((0, 1, 3, 2))
    assert not RUNS.is_canonical((2, 2, 0, 1))
    with pytest.raises(CryptoError, match="contest 0 names the same option twice"):
        RUNS.canonical((2, 2, 0, 1))
    with pytest.raises(CryptoError, match="add up"):
        BallotStyle(StyleId("x"), (3, 3), runs=(3,))
    with pytest.raises(CryptoError):
        BallotStyle(StyleId("x"), (3, 3), runs=(0, 2))


@PROPERTY
@given(st.lists(st.integers(0, 5), min_size=3, max_size=3), st.integers(0, 3))
def test_canonical_is_idempotent_and_keeps_the_choice(contest: list[int], last: int) -> None:
    sel = (*contest, last)
    if len({m for m in contest if m}) != len([m for m in contest if m]):
        with pytest.raises(CryptoError):
            RUNS.canonical(sel)
        return
    c = RUNS.canonical(sel)
    assert RUNS.canonical(c) == c and RUNS.is_canonical(c)
    assert sorted(c[:3]) == sorted(contest) and c[3] == last


def test_device_encrypts_only_canonical_plaintexts() -> None:
    dev, _ = _device(b"canon")
    with pytest.raises(CryptoError, match="canonical"):
        dev.encrypt(PlaintextBallot(RUNS, (3, 1, 0, 2)))
    with pytest.raises(CryptoError, match="canonical"):
        dev.encrypt(PlaintextBallot(RUNS, (0, 1, 0, 2)))
    dev.encrypt(PlaintextBallot(RUNS, RUNS.canonical((3, 1, 0, 2))))


def test_style_json_carries_runs_strictly() -> None:
    assert RUNS.to_json() == {"id": "r", "options": [5, 5, 5, 3], "runs": [3, 1]}
    assert BallotStyle.from_json(encoding.loads(encoding.dumps(RUNS.to_json()))) == RUNS
    for bad in (
        {"id": "r", "options": [5, 5, 5, 3]},
        {"id": "r", "options": [5, 5, 5, 3], "runs": []},
        {"id": "r", "options": [5, 5, 5, 3], "runs": [3, True]},
        {"id": "r", "options": [5, 5, 5, 3], "runs": [3, 1], "extra": 1},
        {"id": "r", "options": [5, 5, 5, 3], "runs": [2, 1]},
    ):
        with pytest.raises(CryptoError):
            BallotStyle.from_json(bad)


def test_benaloh_challenge_checks_what_the_screen_showed() -> None:
    dev, kp = _device(b"spoil")
    sel = (2, 5, 1)
    enc, nonces = dev.encrypt(PlaintextBallot(STYLE, sel))
    with pytest.raises(ProofError, match="slot 1"):
        dev.spoil(enc, nonces, (2, 4, 1))  # the device refuses to sign a reveal that does not match
    spoiled = dev.spoil(enc, nonces, sel)
    spoiled.verify(FP, KEY.public_key, STYLE, kp.public, TABLE)
    assert _roundtrip(spoiled, SpoiledBallot) == spoiled
    assert set(spoiled.to_json()) == {"ballot", "selections", "nonces", "sig"}
    assert spoiled.statement(FP) == {"kind": "spoiled", "fingerprint": FP.hex(), "device": "EBOX-1",
                                     "tracker": enc.tracker.hex()}
    lying = SpoiledBallot(enc, (2, 4, 1), nonces, spoiled.signature)  # the device encrypted 5, showed 4
    with pytest.raises(ProofError, match="slot 1"):
        lying.verify(FP, KEY.public_key, STYLE, kp.public, TABLE)
    with pytest.raises(SignatureError, match="spoiled ballot"):
        spoiled.verify(FP, SigningKey.from_seed(b"o" * 32).public_key, STYLE, kp.public, TABLE)


def test_a_ballot_is_cast_or_spoiled_once_never_both() -> None:
    dev, _ = _device(b"once")
    other, _ = _device(b"other", "EBOX-2")
    a, na = dev.encrypt(PlaintextBallot(STYLE, (1, 1, 1)))
    b, nb = dev.encrypt(PlaintextBallot(STYLE, (2, 2, 2)))
    foreign, _ = other.encrypt(PlaintextBallot(STYLE, (1, 1, 1)))
    dev.cast(a)
    with pytest.raises(CryptoError, match="already cast or spoiled"):
        dev.cast(a)
    with pytest.raises(CryptoError, match="already cast or spoiled"):
        dev.spoil(a, na, (1, 1, 1))
    dev.spoil(b, nb, (2, 2, 2))
    with pytest.raises(CryptoError, match="already cast or spoiled"):
        dev.cast(b)
    with pytest.raises(CryptoError, match="not encrypted by this device"):
        dev.cast(foreign)
    closing = dev.close()
    assert (closing.cast, closing.spoiled, closing.last) == (1, 1, dev.head)
    closing.verify(FP, KEY.public_key)
    assert _roundtrip(closing, ClosingStatement) == closing
    c, _ = other.encrypt(PlaintextBallot(STYLE, (0, 0, 0)))
    with pytest.raises(CryptoError, match="closed"):
        dev.encrypt(PlaintextBallot(STYLE, (1, 1, 1)))
    with pytest.raises(CryptoError, match="closed"):
        dev.cast(c)
    with pytest.raises(CryptoError, match="closed"):
        dev.close()


def test_encrypted_but_undecided_ballots_die_with_the_closing() -> None:
    dev, _ = _device(b"undecided")
    a, _ = dev.encrypt(PlaintextBallot(STYLE, (1, 1, 1)))
    closing = dev.close()
    assert (closing.cast, closing.spoiled, closing.last) == (0, 0, chain_start(FP, "EBOX-1"))
    with pytest.raises(CryptoError, match="closed"):
        dev.cast(a)


def test_strict_json_refuses_other_spellings() -> None:
    dev, _ = _device(b"strict")
    enc, _ = dev.encrypt(PlaintextBallot(STYLE, (1, 2, 0)))
    line = dev.cast(enc).to_json()
    variants: list[dict[str, object]] = [
        {**line, "seq": True},
        {**line, "seq": 0},
        {**line, "link": str(line["link"]).upper()},
        {**line, "sig": str(line["sig"])[:-2]},
        {**line, "extra": 1},
        {**line, "ballot": {**enc.to_json(), "id": enc.ballot_id.upper()}},
        {**line, "ballot": {**enc.to_json(), "seq": 1}},
        {**line, "ballot": {**enc.to_json(), "proof": {**enc.proof.to_json(), "x": 1}}},
    ]
    for bad in variants:
        with pytest.raises(CryptoError):
            CastBallot.from_json(bad)


def test_short_code_is_readable() -> None:
    code = short_code(bytes(range(32)))
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert short_code(bytes(32)) != short_code(b"\x01" + bytes(31))


def test_crypto_package_imports_no_django() -> None:
    code = (
        "import sys, entekhab.crypto.verifier, entekhab.crypto.demo, entekhab.crypto.chain;"
        "bad=[m for m in sys.modules if m.split('.')[0]=='django' or m.startswith(('entekhab.hq','entekhab.device'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
