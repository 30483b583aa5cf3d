"""Shared set-up of key-ceremony tests: deterministic guardian and board keys, an opening, a base."""

from __future__ import annotations

from entekhab.crypto.ceremony import CeremonyOpening
from entekhab.records.signing import SigningKey

BASE = b"e" * 32


def guardian_keys(n: int) -> list[SigningKey]:
    return [SigningKey.from_seed(bytes([i]) * 32) for i in range(1, n + 1)]


BOARDS = [SigningKey.from_seed(bytes([200 + b]) * 32) for b in range(2)]


def opening(n: int, k: int, boards: int = 2) -> CeremonyOpening:
    return CeremonyOpening(
        n, k, tuple(key.public_key for key in guardian_keys(n)), tuple(b.public_key for b in BOARDS[:boards])
    )
