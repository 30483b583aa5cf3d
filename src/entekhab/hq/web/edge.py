"""The edge of HQ: bytes from the network become JSON values, or a typed refusal, before anything else runs.

``json.loads`` alone accepts what no honest client sends and what later layers cannot
hold: ``NaN``/``Infinity`` and floats (signed documents have no floats), integers past
what SQLite/PostgreSQL ``bigint`` or a JavaScript client can carry, nesting that ends in a
``RecursionError``, and ``\\u0000`` or lone surrogates that PostgreSQL refuses to store.
:func:`read_json` refuses each of these with a 4xx :class:`EdgeRefused` (the API's error
shape), and refuses an oversized body by its length, before reading or parsing it.

Limits (see docs/polling.md, "Hostile input"):

- ``MAX_BODY_BYTES`` = 8 MiB. The largest honest message, the final branch report with
  its cast vote records for a 3,000-voter branch on the longest ballot (Tehran: 30 + 21 +
  16 seats and a by-election of 5), is about 2.0 MB (``bench/bench_hostile.py`` builds
  it); a journal transfer of that e-box about 2.8 MB. 8 MiB leaves ~3× headroom.
- ``MAX_DEPTH`` = 32 arrays/objects. The deepest honest document (a branch report) is 6.
- ``MAX_CONTAINERS`` = 50,000 arrays/objects and ``MAX_ITEMS`` = 500,000 commas, counted
  before parsing. That report has about 18,000 and 219,000 (the journal transfer 24,000
  and 240,000); parsing cost follows these counts, not the bytes, so they keep the
  anonymous cost of any body within about twice that of the largest honest one.
- Integers within ±(2^53 − 1), as I-JSON (RFC 7493) and RFC 8785 require.
- No floats, ``NaN`` or ``Infinity`` in device messages; ``NaN``/``Infinity`` nowhere.
- No duplicate object keys (I-JSON): a signed document must have one meaning.
- Text is UTF-8 with no NUL and no lone surrogate, in keys and values.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from entekhab.domain.errors import DomainError
from entekhab.i18n import N_, Catalogued

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32
MAX_CONTAINERS = 50_000
MAX_ITEMS = 500_000
MAX_SAFE_INT = 2**53 - 1
_MAX_INT_DIGITS = len(str(MAX_SAFE_INT)) + 1  # a longer literal (sign aside) cannot be in range

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_CONTAINERS = frozenset({dict, list})


class EdgeRefused(DomainError):
    """Input refused at the edge, before authentication or any database work; ``status`` is the HTTP answer."""

    code = "bad_input"
    status = 400

    def __init__(self, message_en: str, message_fa: str | None = None, *, code: str | None = None,
                 status: int = 400, params: dict | None = None) -> None:
        super().__init__(message_en, message_fa, code=code, params=params)
        self.status = status


def too_large(limit: int = MAX_BODY_BYTES) -> EdgeRefused:
    return EdgeRefused(
        "the request body is larger than %(limit)s bytes", params={"limit": limit}, code="too_large", status=413
    )


def check_length(length: int, limit: int = MAX_BODY_BYTES) -> None:
    """Refuse by the declared length, so an oversized body is never read."""
    if length > limit:
        raise too_large(limit)


def bad_text(where: str) -> EdgeRefused:
    return EdgeRefused(
        "%(where)s contains a NUL or an unpaired surrogate character",
        params={"where": where, "where2": _FA_WHERE.get(where, where)},
        code="bad_text",
    )


_FA_WHERE = Catalogued("request part", {"path": N_("address"), "query": N_("query string"), "body": N_("request body"),
                                        "form": N_("form"), "cookie": N_("cookie")})


def has_bad_text(text: str) -> bool:
    """NUL or a lone surrogate: characters PostgreSQL cannot store in ``text``, refused on every database alike."""
    return _BAD_TEXT.search(text) is not None


def _refuse_float(literal: str) -> NoReturn:
    raise EdgeRefused(
        "numbers with a fraction or exponent are not accepted (%(value)s)",
        params={"value": literal[:20]},
        code="float_refused",
    )


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        _refuse_constant(literal[:20])
    return value


def _refuse_constant(name: str) -> NoReturn:
    raise EdgeRefused("%(name)s is not a JSON number", params={"name": name}, code="float_refused")


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) <= _MAX_INT_DIGITS:
        value = int(literal)
        if -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
            return value
    raise EdgeRefused("integers must lie within ±(2^53 − 1)", code="int_out_of_range")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise EdgeRefused("an object repeats a key", code="duplicate_key")
    return out


def _inspect(value: Any, *, text: bool) -> tuple[int, bool]:
    """Nesting depth of ``value`` and whether a key or string holds a NUL or lone surrogate (no recursion).

    Leaf-only containers (a vote record's code lists) are skipped by a C-level type scan,
    which keeps this walk at a fraction of the parse for the largest honest report.
    """
    if not isinstance(value, dict | list):
        return 0, text and isinstance(value, str) and has_bad_text(value)
    deepest, bad = 0, False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            return level, bad
        deepest = max(deepest, level)
        children = list(item.values()) if isinstance(item, dict) else item
        if text and not bad:
            strings = [c for c in children if isinstance(c, str)]
            if isinstance(item, dict):
                strings.extend(item)
            bad = has_bad_text("".join(strings))
        if not _CONTAINERS.isdisjoint(map(type, children)):
            stack.extend([(c, level + 1) for c in children if isinstance(c, dict | list)])
    return deepest, bad


def read_json(raw: bytes | str, *, allow_floats: bool = False, limit: int = MAX_BODY_BYTES) -> Any:
    """The JSON value in ``raw``, or :class:`EdgeRefused`; never another exception.

    ``allow_floats`` admits finite fractions (staff API payloads); device messages, which
    are signed as canonical JSON, never carry one.
    """
    if len(raw) > limit:
        raise too_large(limit)
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EdgeRefused("the body is not UTF-8 text", code="bad_encoding") from exc
    else:
        text = raw
    if not text.strip():
        raise EdgeRefused("the body is empty", code="bad_message")
    _check_shape(text)
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_constant=_refuse_constant,
                           object_pairs_hook=_object, parse_float=_finite_float if allow_floats else _refuse_float)
    except EdgeRefused:
        raise
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError as exc:
        raise EdgeRefused("the body is not JSON", code="bad_message") from exc
    # NUL and lone surrogates reach a decoded str only through \\u escapes (raw ones are refused above).
    deepest, bad = _inspect(value, text="\\u" in text or isinstance(raw, str))
    if deepest > MAX_DEPTH:
        raise _too_deep()
    if bad:
        raise bad_text("body")
    return value


def _check_shape(text: str) -> None:
    """Bound the parse before it starts: parsing cost follows the count of values, not of bytes.

    Counted in C over the raw text (brackets and commas inside strings count too, which
    only errs towards refusing). 8 MiB of ``[],`` would otherwise cost seconds to parse
    and walk; under these bounds a body costs at most about twice the largest honest report.
    """
    containers = text.count("[") + text.count("{")
    if containers > MAX_CONTAINERS or text.count(",") > MAX_ITEMS:
        raise EdgeRefused(
            "more than %(max_containers)s arrays/objects or %(max_items)s values",
            params={"max_containers": MAX_CONTAINERS, "max_items": MAX_ITEMS},
            code="too_complex",
        )


def _too_deep() -> EdgeRefused:
    return EdgeRefused("JSON nested deeper than %(max_depth)s levels", params={"max_depth": MAX_DEPTH},
                       code="too_deep")
