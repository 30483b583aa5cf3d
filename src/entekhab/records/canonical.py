"""RFC 8785 canonical JSON (via ``rfc8785``) and the strict reader every record parser uses.

A record is hashed and signed over its canonical bytes, so the same content always gives
the same bytes on the e-box, at HQ and in a citizen's verifier. Beyond RFC 8785 we refuse
what a vote record never needs and an attacker loves: floats (also NaN and Infinity),
integers outside the I-JSON range, non-string keys, NUL and lone surrogates, and nesting
deeper than :data:`MAX_DEPTH`. Text is NFC-normalised before hashing (policy: two
spellings of one Persian name are one name).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

import rfc8785

from entekhab.i18n import en_fa, gettext_in
from entekhab.records.errors import CanonicalError

MAX_DEPTH = 32
"""Deepest nesting of any record (a branch report is 5 deep); deeper input is hostile."""
MAX_INT = 2**53 - 1
"""I-JSON's exact-integer range, which RFC 8785 also requires."""
_BAD_CHARS = ("\x00",)


def _fail(path: str, en: str, fa: str, code: str = "not_canonical") -> CanonicalError:
    return CanonicalError(f"{path}: {en}", f"{path}: {fa}", code=code, path=path)


def normalise(value: Any, path: str = "$", depth: int = 0) -> Any:
    """The JSON value with NFC text, or a :class:`CanonicalError` naming the first bad field."""
    if depth > MAX_DEPTH:
        raise _fail(path, *en_fa("nested deeper than %(max_depth)s", max_depth=MAX_DEPTH), "too_deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise _fail(path, *en_fa("integer out of range"), "integer_out_of_range")
        return value
    if isinstance(value, float):
        raise _fail(path, *en_fa("floats (and NaN, Infinity) are not allowed"), "float_refused")
    if isinstance(value, str):
        return _text(value, path)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _fail(path, *en_fa("object keys must be text"), "bad_key")
            key = _text(k, path)
            out[key] = normalise(v, f"{path}.{key}", depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [normalise(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    raise _fail(path, *en_fa("%(name)s is not JSON", name=type(value).__name__), "not_json")


def _text(value: str, path: str) -> str:
    if "\x00" in value:
        raise _fail(path, *en_fa("text contains a NUL character"), "nul_refused")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _fail(path, *en_fa("text is not valid Unicode"), "bad_text") from exc
    return unicodedata.normalize("NFC", value)


def _plain(value: Any, depth: int = 0) -> bool:
    """Only text, in-range integers, booleans, null, lists and text-keyed objects, not too deep."""
    t = type(value)
    if t is dict:
        if depth >= MAX_DEPTH:
            return False
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    if t is list or t is tuple:
        if depth >= MAX_DEPTH:
            return False
        return all(_plain(v, depth + 1) for v in value)
    if t is str or value is None or t is bool:
        return True
    if t is int:
        return -MAX_INT <= value <= MAX_INT
    return False


def _fast_form(value: Any) -> bytes | None:
    """The canonical bytes by the C encoder, when that is provably RFC 8785; else ``None``.

    Why: election records hold hundreds of thousands of ASCII-only lines (hex, ids,
    integers), where the pure-Python RFC 8785 path costs ten times more. For a plain value
    whose every string is ASCII without NUL, the compact key-sorted stdlib form is byte
    for byte RFC 8785 (code-point order is UTF-16 order for ASCII; both escape the same
    control characters, in lowercase hex; ASCII is already NFC). Anything else, and
    every refusal, goes the careful way.
    """
    if not _plain(value):
        return None
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if not text.isascii() or "\\u0000" in text:
        return None
    return text.encode()


def canonical_json(value: Any) -> bytes:
    """The one byte form of a document that is signed and hashed (RFC 8785 of the NFC value)."""
    fast = _fast_form(value)
    if fast is not None:
        return fast
    try:
        return rfc8785.dumps(normalise(value))
    except rfc8785.CanonicalizationError as exc:  # pragma: no cover - normalise refuses first
        raise _fail("$", str(exc), gettext_in("fa", "the JSON is not canonical")) from exc


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """SHA-256 of the canonical bytes."""
    return sha256_hex(canonical_json(value))


def _no_float(text: str) -> Any:
    raise _fail("$", *en_fa("floats are not allowed (%(value)s)", value=text[:20]), "float_refused")


def _no_constant(text: str) -> Any:
    raise _fail("$", *en_fa("%(text)s is not allowed", text=text), "float_refused")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 16:
        raise _fail("$", *en_fa("integer out of range"), "integer_out_of_range")
    return int(text)


def loads(data: bytes | str) -> Any:
    """Strict JSON: UTF-8, no floats, NaN or Infinity, bounded integers and depth, no NUL.

    The reader of every untrusted record; its refusals are typed, never a 500.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _fail("$", *en_fa("not UTF-8"), "bad_encoding") from exc
    else:
        text = data
    try:
        value = json.loads(text, parse_float=_no_float, parse_constant=_no_constant, parse_int=_int)
    except CanonicalError:
        raise
    except RecursionError as exc:  # the C parser's own guard against very deep input
        raise _fail("$", *en_fa("nested deeper than %(max_depth)s", max_depth=MAX_DEPTH), "too_deep") from exc
    except ValueError as exc:
        raise _fail("$", *en_fa("not JSON"), "bad_json") from exc
    return normalise(value)


def loads_canonical(data: bytes) -> Any:
    """Strict JSON that must already be in canonical form (stored and signed records)."""
    if bytes(data).isascii():
        try:
            fast = json.loads(data, parse_float=_no_float, parse_constant=_no_constant, parse_int=_int)
            if _fast_form(fast) == bytes(data):
                return fast
        except (ValueError, RecursionError):
            pass  # the careful path below names the fault
    value = loads(data)
    if canonical_json(value) != bytes(data):
        raise _fail("$", *en_fa("bytes are not in canonical form"))
    return value
