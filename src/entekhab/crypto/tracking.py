"""Tracking codes (what the voter sees) and device chain links (what the record checks).

The *tracker* is a domain-separated SHA-256 of one whole encrypted ballot (fingerprint,
ballot id, style, device, every slot ciphertext, the proof).  It is not chained: a
tracker alone says nothing about when or in which order the ballot was made, so a
spoiled ballot's tracker cannot be matched to the voter's re-cast one.  The device shows
it before the voter chooses to cast or to challenge.

The *chain* runs over cast ballots only:
``link_0 = H(start, fingerprint, device)``, ``link_i = H(link, link_{i-1}, tracker_i)``.
The device signs each link and, at closing, the last link and the counts, so a dropped,
added or reordered cast ballot is caught.  The receipt shows a short Crockford base-32
form of the tracker's first 60 bits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from entekhab.crypto.elgamal import Ciphertext
from entekhab.crypto.proofs import RandomnessProof

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PREFIX = b"entekhab/v1/"


def _hash(domain: str, *parts: bytes) -> bytes:
    """SHA-256 over the domain and length-framed parts (no two part lists hash alike)."""
    h = hashlib.sha256(_PREFIX + domain.encode() + b"\x00")
    for p in parts:
        h.update(len(p).to_bytes(8, "little") + p)
    return h.digest()


def tracker(
    fingerprint: bytes,
    ballot_id: str,
    style: str,
    device: str,
    slots: Sequence[Ciphertext],
    proof: RandomnessProof,
) -> bytes:
    """The ballot's tracking code: binds every byte of the encrypted ballot, and nothing else."""
    return _hash(
        "tracker",
        fingerprint,
        ballot_id.encode(),
        style.encode(),
        device.encode(),
        b"".join(c.alpha.b + c.beta.b for c in slots),
        proof.challenge.encode() + b"".join(z.encode() for z in proof.responses),
    )


def chain_start(fingerprint: bytes, device: str) -> bytes:
    """The link before a device's first cast ballot (also its last link if it cast none)."""
    return _hash("chain-start", fingerprint, device.encode())


def chain_link(previous: bytes, tracker_code: bytes) -> bytes:
    return _hash("chain-link", previous, tracker_code)


def short_code(code: bytes) -> str:
    """Twelve readable characters in three groups, e.g. ``7K2Q-M9XD-4RTA``."""
    v = int.from_bytes(code[:8], "big") >> 4
    chars = [_ALPHABET[(v >> (5 * i)) & 31] for i in range(11, -1, -1)]
    s = "".join(chars)
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"
