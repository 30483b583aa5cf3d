from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entekhab.crypto.ballot import BallotDevice, BallotStyle, EncryptedBallot, PlaintextBallot, SpoiledBallot
from entekhab.crypto.elgamal import DecodingTable, KeyPair, decrypt_with_secret
from entekhab.crypto.errors import CryptoError, ProofError
from entekhab.crypto.tracking import chain_start, short_code

from .strategies import PROPERTY, rng_from, seeds

STYLE = BallotStyle("s", (4, 7, 2))
TABLE = DecodingTable(8)
ELECTION = b"E" * 32


def _device(seed: bytes) -> tuple[BallotDevice, KeyPair]:
    rng = rng_from(seed)
    kp = KeyPair.generate(rng)
    return BallotDevice(ELECTION, "EBOX-1", kp.public, TABLE, rng), kp


@PROPERTY
@given(seeds, st.lists(st.tuples(st.integers(0, 4), st.integers(0, 7), st.integers(0, 2)), min_size=1, max_size=4))
def test_encrypt_chain_and_decrypt(seed: bytes, choices: list[tuple[int, int, int]]) -> None:
    dev, kp = _device(seed)
    head = chain_start(ELECTION, "EBOX-1")
    for sel in choices:
        enc, _ = dev.encrypt(PlaintextBallot(STYLE, sel))
        enc.verify(ELECTION)
        assert enc.previous_code == head
        head = enc.tracking_code
        again = EncryptedBallot.from_json(enc.to_json())
        assert again == enc
        assert tuple(TABLE.decode(decrypt_with_secret(c, kp.secret)) for c in enc.slots) == sel


def test_selection_out_of_range_refused() -> None:
    with pytest.raises(CryptoError):
        PlaintextBallot(STYLE, (5, 0, 0))
    with pytest.raises(CryptoError):
        PlaintextBallot(STYLE, (1, 1))


def test_copied_ballot_fails_in_another_chain_position() -> None:
    dev, _ = _device(b"copy")
    first, _ = dev.encrypt(PlaintextBallot(STYLE, (1, 2, 0)))
    second, _ = dev.encrypt(PlaintextBallot(STYLE, (3, 3, 1)))
    replayed = EncryptedBallot(
        second.ballot_id, first.style_id, first.device, second.sequence, second.previous_code,
        first.slots, first.proof, second.tracking_code,
    )  # fmt: skip
    with pytest.raises(ProofError):
        replayed.verify(ELECTION)


def test_benaloh_challenge_checks_what_the_screen_showed() -> None:
    dev, kp = _device(b"spoil")
    sel = (2, 5, 1)
    enc, nonces = dev.encrypt(PlaintextBallot(STYLE, sel))
    spoiled = SpoiledBallot(enc, sel, nonces)
    spoiled.verify(ELECTION, STYLE, kp.public, TABLE)
    assert SpoiledBallot.from_json(spoiled.to_json()) == spoiled
    lying = SpoiledBallot(enc, (2, 4, 1), nonces)  # the device encrypted 5, showed 4
    with pytest.raises(ProofError, match="slot 1"):
        lying.verify(ELECTION, STYLE, kp.public, TABLE)


def test_short_code_is_readable() -> None:
    code = short_code(bytes(range(32)))
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert short_code(bytes(32)) != short_code(b"\x01" + bytes(31))


def test_crypto_package_imports_no_django() -> None:
    code = (
        "import sys, entekhab.crypto.verifier, entekhab.crypto.demo;"
        "bad=[m for m in sys.modules if m.split('.')[0]=='django' or m.startswith(('entekhab.hq','entekhab.device'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
