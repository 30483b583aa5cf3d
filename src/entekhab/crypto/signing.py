"""Ed25519 signatures for what HQ publishes (ballot manifests), via libsodium's ``crypto_sign_*``.

The HQ key is a 32-byte seed. Production passes it as 64 hex digits in
``ENTEKHAB_HQ_SIGNING_KEY`` (from a secret store); a demo generates one into the
data folder (mode 0600) so that signatures survive restarts. Devices and the public
hold only the 32-byte public key.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pysodium

from entekhab.crypto.errors import CryptoError

ENV_VAR = "ENTEKHAB_HQ_SIGNING_KEY"
KEY_FILE = "hq_signing_key"
SEED_BYTES = pysodium.crypto_sign_SEEDBYTES
PUBLIC_KEY_BYTES = pysodium.crypto_sign_PUBLICKEYBYTES
SIGNATURE_BYTES = pysodium.crypto_sign_BYTES


class SignatureInvalid(CryptoError):
    """A signature that does not verify under the given public key, or a malformed one."""

    code = "signature_invalid"


class BadSigningKey(CryptoError):
    code = "bad_signing_key"


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key pair derived from its seed; ``repr`` never shows the secret."""

    seed: bytes = field(repr=False)
    public_key: bytes = field(init=False)
    _secret: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.seed, bytes) or len(self.seed) != SEED_BYTES:
            raise BadSigningKey(
                f"an Ed25519 seed has {SEED_BYTES} bytes",
                f"بذر کلید Ed25519 باید {SEED_BYTES} بایت باشد",
            )
        pk, sk = pysodium.crypto_sign_seed_keypair(self.seed)
        object.__setattr__(self, "public_key", pk)
        object.__setattr__(self, "_secret", sk)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(secrets.token_bytes(SEED_BYTES))

    @classmethod
    def from_hex(cls, text: str) -> SigningKey:
        try:
            seed = bytes.fromhex(text.strip())
        except ValueError as exc:
            raise BadSigningKey(
                f"{ENV_VAR} must be {2 * SEED_BYTES} hex digits",
                f"{ENV_VAR} باید {2 * SEED_BYTES} رقم هگز باشد",
            ) from exc
        return cls(seed)

    def sign(self, message: bytes) -> bytes:
        """A detached 64-byte signature of ``message``."""
        return pysodium.crypto_sign_detached(message, self._secret)

    @property
    def public_hex(self) -> str:
        return self.public_key.hex()


def verify(message: bytes, signature: bytes, public_key: bytes) -> None:
    """Return quietly when ``signature`` is ``public_key``'s signature of ``message``; else raise."""
    if len(signature) != SIGNATURE_BYTES or len(public_key) != PUBLIC_KEY_BYTES:
        raise SignatureInvalid("signature or public key has the wrong length", "طول امضا یا کلید عمومی نادرست است")
    try:
        pysodium.crypto_sign_verify_detached(signature, message, public_key)
    except ValueError as exc:
        raise SignatureInvalid("signature does not verify", "امضا معتبر نیست") from exc


def load_hq_key(data_dir: Path, environ: Mapping[str, str] | None = None) -> SigningKey:
    """The HQ key from the environment, else from (or generated into) ``data_dir``."""
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


def _nfc(value: object) -> object:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    if isinstance(value, float):
        raise CryptoError("canonical JSON carries no floats", "JSON استاندارد عدد اعشاری ندارد")
    return value


def canonical_json(document: object) -> bytes:
    """UTF-8 JSON with sorted keys, no spaces, NFC text and no floats: same data, same bytes."""
    return json.dumps(
        _nfc(document), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
