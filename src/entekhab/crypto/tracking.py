"""Tracking codes: each device chains a hash over the ballots it encrypts.

``code_i = SHA-256(domain, previous code, ballot digest)``, starting from a code derived
from the election and the device.  Removing, reordering or inserting a ballot breaks the
chain, and a voter holding a receipt can find their ballot in the published record.
The receipt shows a short Crockford base-32 form of the code's first 60 bits.
"""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def chain_start(election: bytes, device: str) -> bytes:
    return hashlib.sha256(b"entekhab/v1/tracking-start\x00" + election + b"\x00" + device.encode()).digest()


def next_code(previous: bytes, ballot_digest: bytes) -> bytes:
    return hashlib.sha256(b"entekhab/v1/tracking\x00" + previous + ballot_digest).digest()


def short_code(code: bytes) -> str:
    """Twelve readable characters in three groups, e.g. ``7K2Q-M9XD-4RTA``."""
    v = int.from_bytes(code[:8], "big") >> 4
    chars = [_ALPHABET[(v >> (5 * i)) & 31] for i in range(11, -1, -1)]
    s = "".join(chars)
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"
