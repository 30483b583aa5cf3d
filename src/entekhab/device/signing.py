"""Canonical JSON and Ed25519 (libsodium via pysodium): what a device signs and how it is checked.

Canonical JSON (sorted keys, no spaces, UTF-8, no floats) makes the signed bytes a
function of the content only, so HQ, the device and any citizen scanning a QR code
hash and verify the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

import pysodium

from entekhab.device.errors import SignatureInvalid

PUBLIC_KEY_BYTES = pysodium.crypto_sign_PUBLICKEYBYTES
SIGNATURE_BYTES = pysodium.crypto_sign_BYTES


def _nfc(value: Any, path: str = "$") -> Any:
    if isinstance(value, float):
        raise ValueError(f"{path}: floats are not allowed in signed documents")
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{path}: keys must be strings")
            out[unicodedata.normalize("NFC", k)] = _nfc(v, f"{path}.{k}")
        return out
    if isinstance(value, list | tuple):
        return [_nfc(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON document that is signed and hashed.

    The same rules as :func:`entekhab.crypto.signing.canonical_json` (sorted keys, no
    spaces, NFC text, no floats), so a manifest HQ signs verifies byte for byte here.
    """
    return json.dumps(_nfc(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key pair; the secret never leaves the device's journal database."""

    public: bytes
    secret: bytes

    def __post_init__(self) -> None:
        if len(self.public) != PUBLIC_KEY_BYTES or len(self.secret) != pysodium.crypto_sign_SECRETKEYBYTES:
            raise ValueError("an Ed25519 key pair has a 32-byte public and a 64-byte secret key")

    @classmethod
    def generate(cls) -> SigningKey:
        public, secret = pysodium.crypto_sign_keypair()
        return cls(public, secret)

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        """Deterministic keys for reproducible demos and tests (seed: 32 bytes)."""
        public, secret = pysodium.crypto_sign_seed_keypair(seed)
        return cls(public, secret)

    @property
    def public_hex(self) -> str:
        return self.public.hex()

    def sign(self, data: bytes) -> bytes:
        return pysodium.crypto_sign_detached(data, self.secret)

    def sign_document(self, document: Any) -> str:
        return self.sign(canonical_json(document)).hex()


def parse_public_key(text: object) -> bytes:
    """A hex public key, or SignatureInvalid naming what is wrong with it."""
    try:
        raw = bytes.fromhex(text) if isinstance(text, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != PUBLIC_KEY_BYTES:
        raise SignatureInvalid("public key must be 64 hex digits", "کلید عمومی باید ۶۴ رقم هگز باشد")
    return raw


def verify(public: bytes, data: bytes, signature_hex: object) -> None:
    """Return quietly when ``signature_hex`` signs ``data`` under ``public``; raise otherwise."""
    try:
        signature = bytes.fromhex(signature_hex) if isinstance(signature_hex, str) else b""
    except ValueError:
        signature = b""
    if len(signature) != SIGNATURE_BYTES:
        raise SignatureInvalid("signature must be 128 hex digits", "امضا باید ۱۲۸ رقم هگز باشد")
    try:
        pysodium.crypto_sign_verify_detached(signature, data, public)
    except ValueError as exc:
        raise SignatureInvalid("the signature does not verify", "امضا معتبر نیست") from exc


def verify_document(public: bytes, document: Any, signature_hex: object) -> None:
    verify(public, canonical_json(document), signature_hex)
