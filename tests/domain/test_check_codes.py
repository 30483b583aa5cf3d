from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entekhab.domain.check_codes import (
    CodeSpaceExhausted,
    InvalidCode,
    assign_codes,
    is_valid,
    make_code,
    parse_code,
    single_errors,
    verhoeff_digit,
)


@pytest.mark.parametrize(("base", "digit"), [("236", 3), ("12345", 1), ("142857", 0), ("8473643095483728456789", 2)])
def test_published_verhoeff_examples(base, digit):
    assert verhoeff_digit(base) == digit
    assert is_valid(base + str(digit))


def test_every_single_error_of_every_four_digit_base_is_caught():
    """Exhaustive over all 9,000 five-digit codes: 45 substitutions and up to 4 swaps each."""
    for base in range(1000, 10000):
        code = make_code(base)
        assert is_valid(code)
        for wrong in single_errors(code):
            assert not is_valid(wrong), (code, wrong)


def test_single_errors_enumerates_substitutions_and_adjacent_swaps():
    errors = list(single_errors("1213"))
    assert len(errors) == 4 * 9 + 3
    assert "2113" in errors and "1231" in errors and "1123" in errors and "1213" not in errors


@given(st.integers(min_value=10, max_value=10**12))
@settings(max_examples=300)
def test_any_length_catches_single_errors(base):
    code = make_code(base)
    assert all(not is_valid(w) for w in single_errors(code))


@pytest.mark.parametrize("raw", ["", "12a4", "۱۲-۳", " ", "x"])
def test_malformed_codes_are_refused(raw):
    assert not is_valid(raw)
    with pytest.raises(InvalidCode):
        parse_code(raw)


def test_parse_normalises_persian_digits_and_checks_length():
    code = make_code(4821)
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert parse_code(persian) == code
    assert len(code) == 5
    with pytest.raises(InvalidCode, match="4 digits"):
        parse_code(code, length=4)
    with pytest.raises(InvalidCode, match="check digit"):
        parse_code(code[:-1] + str((int(code[-1]) + 1) % 10))


def test_assignment_is_reproducible_unique_and_respects_taken():
    keys = [f"R{i:04d}" for i in range(300)]
    first = assign_codes(keys, seed="published 1405-01-20", scope="council-tehran", base_digits=3)
    again = assign_codes(list(reversed(keys)), seed="published 1405-01-20", scope="council-tehran", base_digits=3)
    assert first == again
    assert len(set(first.values())) == 300 and all(is_valid(c) and len(c) == 4 and c[0] != "0" for c in first.values())
    other = assign_codes(keys, seed="another seed", scope="council-tehran", base_digits=3)
    assert other != first
    more = assign_codes(["X1", "X2"], seed="s", scope="experts", base_digits=3, taken=first.values())
    assert not set(more.values()) & set(first.values())


def test_code_space_exhaustion_is_refused():
    taken = assign_codes([str(i) for i in range(85)], seed="s", scope="a", base_digits=2)
    with pytest.raises(CodeSpaceExhausted):
        assign_codes([str(i) for i in range(6)], seed="s", scope="b", base_digits=2, taken=taken.values())
