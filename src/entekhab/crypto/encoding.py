"""One canonical text form for every value in the election record, and the strict reader.

Why: a value that can be written two ways (``AB`` or ``ab``, ``0x…``, ``true`` for 1,
``2.0`` for 2, a key twice, extra spaces) lets two different files carry one meaning, so
a signature or a digest over the file no longer pins what it says. Every record file is
therefore *canonical JSON* (keys sorted, no spaces, UTF-8, integers only) and every
field is read through one of the typed readers below, which refuse anything but the one
form :func:`dumps` writes. Hex is lowercase with the exact number of digits.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from entekhab.crypto.errors import RecordError

MAX_INT = 2**53 - 1
"""I-JSON's exact-integer range: a larger count or index in a record is hostile."""
MAX_TEXT = 4096
"""Longest free text field (ids, names); longer is hostile."""
_HEX = frozenset("0123456789abcdef")


class EncodingError(RecordError):
    """A value in a record that is not in its one canonical form."""

    code = "encoding"


def dumps(value: Any) -> bytes:
    """The canonical bytes of a record value (what every writer emits)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _refuse_float(text: str) -> Any:
    raise EncodingError("number %(text)s is not an integer", params={"text": text[:40]})


def _refuse_constant(text: str) -> Any:
    raise EncodingError("%(text)s is not allowed in a record", params={"text": text})


def _int(text: str) -> int:
    if len(text) > 16:
        raise EncodingError("integer %(text)s is too large", params={"text": text[:40] + "…"})
    return int(text)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise EncodingError("key %(key)s appears twice", params={"key": repr(k[:40])})
        out[k] = v
    return out


def loads(data: bytes) -> Any:
    """Parse one canonical JSON text, or raise :class:`EncodingError` saying why not.

    Refused: invalid UTF-8, floats, NaN/Infinity, integers beyond 16 digits, repeated
    keys, nesting too deep for the parser, and any text that is not byte-for-byte what
    :func:`dumps` writes for the parsed value.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingError("not UTF-8 (%(exc)s)", params={"exc": exc}) from exc
    try:
        value = json.loads(
            text,
            parse_float=_refuse_float,
            parse_int=_int,
            parse_constant=_refuse_constant,
            object_pairs_hook=_pairs,
        )
    except RecursionError as exc:
        raise EncodingError("nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise EncodingError("not valid JSON (%(exc)s)", params={"exc": exc}) from exc
    try:
        canonical = dumps(value)
    except (ValueError, RecursionError) as exc:
        raise EncodingError("not valid JSON (%(exc)s)", params={"exc": exc}) from exc
    if canonical != data:
        raise EncodingError("not in canonical form (sorted keys, no spaces, as written by the record writer)")
    return value


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
