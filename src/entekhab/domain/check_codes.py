"""Ballot codes that survive typing: Verhoeff check digits and reproducible assignment.

Voters type list and candidate codes on the e-box. The Verhoeff scheme (dihedral
group D5) detects every single-digit substitution and every transposition of two
adjacent digits, which the mod-10/mod-11 schemes do not (mod 11 needs an 11th
symbol; Luhn misses 09↔90). A code is ``base`` digits followed by the check digit;
all codes of an election have the same length, and bases never start with 0.

Assignment is reproducible from a published seed: the entities of a contest are
ordered by SHA-256(seed | contest | key), and each draws its base from a
``random.Random`` seeded with the same material, skipping bases already taken in
the election. Anyone holding the seed, the keys and the earlier codes gets the same
codes again (``assign_codes``).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import NewType

from entekhab.domain.digits import to_ascii_digits
from entekhab.domain.errors import DomainError

BallotCode = NewType("BallotCode", str)

# Verhoeff's tables: multiplication in D5, the position permutation, the inverse.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


class InvalidCode(DomainError):
    code = "invalid_ballot_code"


class CodeSpaceExhausted(DomainError):
    code = "code_space_exhausted"


def _digits(text: str) -> str:
    clean = to_ascii_digits(text.strip()) if isinstance(text, str) else ""
    if not clean or not clean.isascii() or not clean.isdigit():
        raise InvalidCode("a code is digits only, got %(text)s", params={"text": repr(text)})
    return clean


def verhoeff_digit(base: str) -> int:
    """The check digit that, appended to ``base``, makes a valid Verhoeff number."""
    c = 0
    for i, ch in enumerate(reversed(_digits(base))):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return _INV[c]


def is_valid(code: str) -> bool:
    """True when ``code`` (digits, check digit last) passes the Verhoeff check."""
    try:
        digits = _digits(code)
    except InvalidCode:
        return False
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c == 0 and len(digits) >= 2


def make_code(base: int | str) -> BallotCode:
    """``base`` followed by its check digit."""
    text = _digits(str(base))
    return BallotCode(text + str(verhoeff_digit(text)))


def parse_code(raw: str, length: int | None = None) -> BallotCode:
    """A typed code, normalised to ASCII digits, refused with a reason if it cannot be one."""
    digits = _digits(raw)
    if length is not None and len(digits) != length:
        raise InvalidCode(
            "a code has %(length)s digits, got %(digits)s", params={"length": length, "digits": len(digits)}
        )
    if not is_valid(digits):
        raise InvalidCode("%(digits)s is not a valid code (check digit)", params={"digits": digits})
    return BallotCode(digits)


def single_errors(code: str) -> Iterable[str]:
    """Every single-digit substitution and every adjacent transposition of ``code`` that differs."""
    for i, ch in enumerate(code):
        for d in "0123456789":
            if d != ch:
                yield code[:i] + d + code[i + 1:]
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            yield code[:i] + code[i + 1] + code[i] + code[i + 2:]


def seeded_order(keys: Iterable[str], seed: str, scope: str) -> list[str]:
    """Keys in the order of SHA-256(seed | scope | key): a shuffle anyone can redo."""
    def digest(key: str) -> bytes:
        return hashlib.sha256(f"{seed}|{scope}|{key}".encode()).digest()

    return sorted(set(keys), key=lambda k: (digest(k), k))


def assign_codes(
    keys: Sequence[str],
    *,
    seed: str,
    scope: str,
    base_digits: int,
    taken: Iterable[str] = (),
) -> Mapping[str, BallotCode]:
    """Codes for ``keys`` (unique among themselves and against ``taken``), reproducible from ``seed``."""
    if base_digits < 1:
        raise InvalidCode("a code base needs at least one digit")
    low, high = 10 ** (base_digits - 1), 10**base_digits - 1
    used = {int(c[:-1]) for c in taken}
    free = (high - low + 1) - len({b for b in used if low <= b <= high})
    order = seeded_order(keys, seed, scope)
    if len(order) > free:
        raise CodeSpaceExhausted(
            "%(order)s codes needed but only %(free)s free %(value)s-digit codes remain",
            params={"order": len(order), "free": free, "value": base_digits + 1},
        )
    rng = random.Random(hashlib.sha256(f"{seed}|{scope}".encode()).digest())
    out: dict[str, BallotCode] = {}
    for key in order:
        while True:
            base = rng.randint(low, high)
            if base not in used:
                break
        used.add(base)
        out[key] = make_code(base)
    return out
