"""One canonical text form for every value in the election record, and the strict reader.

Why: a value that can be written two ways (``AB`` or ``ab``, ``0x…``, ``true`` for 1,
``2.0`` for 2, a key twice, extra spaces) lets two different files carry one meaning, so
a signature or a digest over the file no longer pins what it says. Every record file is
therefore *canonical JSON* (RFC 8785, the records core's one form) and every
field is read through one of the typed readers below, which refuse anything but the one
form :func:`dumps` writes. Hex is lowercase with the exact number of digits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from entekhab.crypto.errors import RecordError
from entekhab.records.canonical import canonical_json, loads_canonical
from entekhab.records.errors import CanonicalError

MAX_INT = 2**53 - 1
"""I-JSON's exact-integer range: a larger count or index in a record is hostile."""
MAX_TEXT = 4096
"""Longest free text field (ids, names); longer is hostile."""
_HEX = frozenset("0123456789abcdef")


class EncodingError(RecordError):
    """A value in a record that is not in its one canonical form."""

    code = "encoding"


def dumps(value: Any) -> bytes:
    """The canonical bytes of a record value (RFC 8785, by the records core that owns it)."""
    try:
        return canonical_json(value)
    except CanonicalError as exc:
        raise EncodingError("%(problem)s", params={"problem": exc}) from exc


def loads(data: bytes) -> Any:
    """Parse one canonical JSON text, or raise :class:`EncodingError` saying why not.

    Refused (by ``entekhab.records.canonical``): invalid UTF-8, floats, NaN/Infinity,
    integers beyond I-JSON, NUL, nesting deeper than 32, and any text that is not byte for
    byte the canonical form of what it parses to (so a repeated key, a space, an escaped
    letter or unsorted keys are refused too).
    """
    try:
        return loads_canonical(data)
    except CanonicalError as exc:
        raise EncodingError("%(problem)s", params={"problem": exc}) from exc


# ---- typed field readers ------------------------------------------------------------


def hex_bytes(value: object, size: int, what: str) -> bytes:
    """Exactly ``2 * size`` lowercase hex digits."""
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX.issuperset(value):
        raise EncodingError(
            "%(what)s must be %(digits)s lowercase hex digits", params={"what": what, "digits": 2 * size}
        )
    return bytes.fromhex(value)


def integer(value: object, what: str, lo: int = 0, hi: int = MAX_INT) -> int:
    """An integer (never a boolean) in ``lo..hi``."""
    if type(value) is not int or not lo <= value <= hi:
        raise EncodingError(
            "%(what)s must be an integer from %(lo)s to %(hi)s", params={"what": what, "lo": lo, "hi": hi}
        )
    return value


def boolean(value: object, what: str) -> bool:
    if type(value) is not bool:
        raise EncodingError("%(what)s must be true or false", params={"what": what})
    return value


def text(value: object, what: str, max_length: int = MAX_TEXT, allowed: Collection[str] | None = None) -> str:
    """A non-empty string without NUL, at most ``max_length`` characters, optionally one of ``allowed``."""
    if not isinstance(value, str) or not value or len(value) > max_length or "\x00" in value:
        raise EncodingError(
            "%(what)s must be text of 1 to %(max_length)s characters", params={"what": what, "max_length": max_length}
        )
    if allowed is not None and value not in allowed:
        raise EncodingError("%(what)s %(value)s is not one of the allowed values", params={"what": what,
                                                                                             "value": repr(value)})
    return value


def array(value: object, what: str, max_length: int = MAX_INT, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or len(value) > max_length or (length is not None and len(value) != length):
        expect = length if length is not None else f"≤ {max_length}"
        raise EncodingError("%(what)s must be a list of %(expect)s items", params={"what": what, "expect": expect})
    return value


def obj(value: object, what: str, required: Collection[str], optional: Collection[str] = ()) -> Mapping[str, Any]:
    """A JSON object with exactly the ``required`` keys plus any of ``optional``; unknown keys are refused."""
    if not isinstance(value, dict):
        raise EncodingError("%(what)s must be a JSON object", params={"what": what})
    missing = [k for k in required if k not in value]
    if missing:
        raise EncodingError("%(what)s lacks %(keys)s", params={"what": what, "keys": ", ".join(sorted(missing))})
    extra = set(value) - set(required) - set(optional)
    if extra:
        raise EncodingError("%(what)s has unknown keys %(keys)s", params={"what": what,
                                                                         "keys": ", ".join(sorted(extra))[:200]})
    return value


def mapping(value: object, what: str) -> Mapping[str, Any]:
    """A JSON object whose keys its owner checks (a table keyed by names)."""
    if not isinstance(value, dict):
        raise EncodingError("%(what)s must be a JSON object", params={"what": what})
    return value
