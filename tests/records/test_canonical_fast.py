"""The C-encoder fast path of canonical JSON is byte for byte RFC 8785, and reads what it writes."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.records.canonical import MAX_INT, _fast_form, canonical_json, loads_canonical, normalise

text = st.text(st.characters(min_codepoint=1, max_codepoint=0x7F), max_size=12)
scalars = st.none() | st.booleans() | st.integers(-MAX_INT, MAX_INT) | text
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                      max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(values)
def test_fast_form_is_rfc8785(value: object) -> None:
    fast = _fast_form(value)
    slow = rfc8785.dumps(normalise(value))
    assert fast is None or fast == slow
    assert canonical_json(value) == slow
    assert loads_canonical(slow) == normalise(value)


def test_values_the_fast_path_must_not_take() -> None:
    assert _fast_form({"a": 1.5}) is None
    assert _fast_form({"a": "\x00"}) is None
    assert _fast_form({"\x00": 1}) is None
    assert _fast_form({"a": "\u0645"}) is None  # non-ASCII text goes through NFC
    assert _fast_form({"a": MAX_INT + 1}) is None
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    assert _fast_form(deep) is None
