from __future__ import annotations

import datetime as dt

import pytest

from entekhab.domain.digits import to_ascii_digits, to_persian_digits
from entekhab.domain.jalali import (
    InvalidDate,
    age_on,
    format_datetime_fa,
    format_jalali,
    format_jalali_en,
    parse_jalali,
)

POLLING_DAY = dt.date(2026, 5, 1)  # Friday 11 Ordibehesht 1405 (DOMAIN.md §1)


def test_polling_day_in_jalali() -> None:
    assert format_jalali(POLLING_DAY, persian_digits=False) == "1405/02/11"
    assert format_jalali(POLLING_DAY) == "۱۴۰۵/۰۲/۱۱"
    assert format_jalali(POLLING_DAY, long=True) == "۱۱ اردیبهشت ۱۴۰۵"
    assert format_jalali_en(POLLING_DAY) == "11 Ordibehesht 1405"
    assert POLLING_DAY.weekday() == 4  # Friday


def test_parse_jalali_round_trip() -> None:
    assert parse_jalali("۱۴۰۵/۰۲/۱۱") == POLLING_DAY
    assert parse_jalali("1405-2-11") == POLLING_DAY


@pytest.mark.parametrize("bad", ["", "1405/13/01", "1405/12/31", "1405/02", "abc", "1405/02/32"])
def test_parse_jalali_refuses_impossible_dates(bad: str) -> None:
    with pytest.raises(InvalidDate):
        parse_jalali(bad)


def test_datetime_shown_in_tehran_time() -> None:
    moment = dt.datetime(2026, 5, 1, 4, 30, tzinfo=dt.UTC)
    assert format_datetime_fa(moment) == "۱۴۰۵/۰۲/۱۱ ۰۸:۰۰"
    with pytest.raises(ValueError, match="naive"):
        format_datetime_fa(dt.datetime(2026, 5, 1, 8, 0))


def test_age_on_the_exact_day() -> None:
    birth = dt.date(2008, 5, 1)
    assert age_on(birth, dt.date(2026, 5, 1)) == 18
    assert age_on(birth, dt.date(2026, 4, 30)) == 17


def test_digits_round_trip() -> None:
    assert to_ascii_digits(to_persian_digits("0123456789")) == "0123456789"
