"""The one Ed25519 key type and verify (libsodium via pysodium), for HQ and devices alike.

A key is its 32-byte seed. HQ's seed comes from ``ENTEKHAB_HQ_SIGNING_KEY`` (64 hex
digits, from a secret store) or, for a demo, a file in the data folder created with mode
0600. Devices keep theirs in their journal file (mode 0600, see ``docs/keys.md``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pysodium

from entekhab.i18n import en_fa
from entekhab.records.canonical import canonical_json
from entekhab.records.errors import RecordError, SignatureInvalid

ENV_VAR = "ENTEKHAB_HQ_SIGNING_KEY"
KEY_FILE = "hq_signing_key"
SEED_BYTES = pysodium.crypto_sign_SEEDBYTES
PUBLIC_KEY_BYTES = pysodium.crypto_sign_PUBLICKEYBYTES
SIGNATURE_BYTES = pysodium.crypto_sign_BYTES


class BadSigningKey(RecordError):
    code = "bad_signing_key"


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key pair derived from its seed; ``repr`` never shows the secret."""

    seed: bytes = field(repr=False)
    public_key: bytes = field(init=False)
    _secret: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, bytes) or len(self.seed) != SEED_BYTES:
            raise BadSigningKey("an Ed25519 seed has %(seed_bytes)s bytes", params={"seed_bytes": SEED_BYTES})
        pk, sk = pysodium.crypto_sign_seed_keypair(self.seed)
        object.__setattr__(self, "public_key", pk)
        object.__setattr__(self, "_secret", sk)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(secrets.token_bytes(SEED_BYTES))

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """Deterministic keys for reproducible demos and tests."""
        return cls(seed)

    @classmethod
    def from_hex(cls, text: str) -> SigningKey:
        try:
            seed = bytes.fromhex(text.strip())
        except ValueError as exc:
            raise BadSigningKey("a signing key is %(value)s hex digits", params={"value": 2 * SEED_BYTES}) from exc
        return cls(seed[:SEED_BYTES] if len(seed) == pysodium.crypto_sign_SECRETKEYBYTES else seed)

    @property
    def public_hex(self) -> str:
        return self.public_key.hex()

    def sign(self, message: bytes) -> bytes:
        """A detached 64-byte signature of ``message``."""
        return pysodium.crypto_sign_detached(message, self._secret)

    def sign_document(self, document: Any) -> str:
        """The hex signature of a document's canonical bytes."""
        return self.sign(canonical_json(document)).hex()


def _hex(value: object, size: int, what_en: str, what_fa: str) -> bytes:
    if isinstance(value, bytes):
        raw = value
    else:
        try:
            raw = bytes.fromhex(value) if isinstance(value, str) else b""
        except ValueError:
            raw = b""
    if len(raw) != size:
        raise SignatureInvalid(
            "%(what_en)s must be %(value)s hex digits",
            params={"what_en": what_en, "value": 2 * size, "what_fa": what_fa},
        )
    return raw


def parse_public_key(value: object) -> bytes:
    """A public key from hex (or bytes), or :class:`SignatureInvalid` naming what is wrong."""
    return _hex(value, PUBLIC_KEY_BYTES, *en_fa("public key"))


def verify(public_key: bytes | str, message: bytes, signature: bytes | str | object) -> None:
    """Return quietly when ``signature`` (bytes or hex) signs ``message`` under ``public_key``; else raise."""
    public = parse_public_key(public_key)
    sig = _hex(signature, SIGNATURE_BYTES, *en_fa("signature"))
    try:
        pysodium.crypto_sign_verify_detached(sig, message, public)
    except ValueError as exc:
        raise SignatureInvalid("the signature does not verify") from exc


def verify_document(public_key: bytes | str, document: Any, signature: object) -> None:
    verify(public_key, canonical_json(document), signature)


def load_hq_key(data_dir: Path, environ: Mapping[str, str] | None = None) -> SigningKey:
    """The HQ key from the environment, else from (or generated into) ``data_dir`` with mode 0600."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return SigningKey.from_hex(env[ENV_VAR])
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_bytes(SEED_BYTES).hex())
    return SigningKey.from_hex(path.read_text())
