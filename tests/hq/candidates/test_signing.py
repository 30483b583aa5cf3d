"""The HQ signing key: Ed25519 through libsodium, from the environment or the data folder."""

from __future__ import annotations

import pytest

from entekhab.records.canonical import canonical_json
from entekhab.records.errors import CanonicalError, SignatureInvalid
from entekhab.records.signing import ENV_VAR, BadSigningKey, SigningKey, load_hq_key, verify


def test_sign_and_verify_and_refuse():
    key = SigningKey(bytes(range(32)))
    sig = key.sign(b"manifest")
    verify(key.public_key, b"manifest", sig)
    cases = [(b"manifesT", sig, key.public_key), (b"manifest", sig[:-1] + b"\0", key.public_key),
             (b"manifest", sig, SigningKey.generate().public_key), (b"m", b"short", b"x")]
    for message, signature, public in cases:
        with pytest.raises(SignatureInvalid):
            verify(public, message, signature)
    assert str(key.seed) not in repr(key) and key.seed.hex() not in repr(key)


def test_rfc8032_test_vector_one():
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    key = SigningKey(seed)
    assert key.public_hex == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert key.sign(b"").hex().startswith("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155")


def test_key_from_environment_or_generated_once(tmp_path):
    seed = "11" * 32
    assert load_hq_key(tmp_path, {ENV_VAR: seed}).seed == bytes.fromhex(seed)
    first = load_hq_key(tmp_path, {})
    assert (tmp_path / "hq_signing_key").stat().st_mode & 0o777 == 0o600
    assert load_hq_key(tmp_path, {}).public_key == first.public_key
    with pytest.raises(BadSigningKey):
        load_hq_key(tmp_path, {ENV_VAR: "not hex"})
    with pytest.raises(BadSigningKey):
        SigningKey(b"short")


def test_canonical_json_is_stable_and_refuses_floats():
    a = canonical_json({"b": 1, "a": ["ی", "ك"], "c": {"z": None, "y": True}})
    b = canonical_json({"c": {"y": True, "z": None}, "a": ["ی", "ك"], "b": 1})
    assert a == b and b" " not in a
    assert canonical_json({"x": "e\u0301"}) == canonical_json({"x": "\u00e9"})  # NFC
    with pytest.raises(CanonicalError):
        canonical_json({"x": 0.1})
