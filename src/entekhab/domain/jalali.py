"""Jalali (Solar Hijri) and Gregorian dates: Jalali only at display, UTC inside."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import jdatetime

from entekhab.domain.digits import to_ascii_digits, to_persian_digits
from entekhab.domain.errors import DomainError

TEHRAN = ZoneInfo("Asia/Tehran")

JALALI_MONTHS_FA = tuple(jdatetime.date.j_months_fa)  # the calendar's Persian month names, from jdatetime
JALALI_MONTHS_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)


class InvalidDate(DomainError):
    code = "invalid_date"


def to_jalali(day: dt.date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=day)


def from_jalali(year: int, month: int, day: int) -> dt.date:
    """A Gregorian date from Jalali parts, refusing impossible dates."""
    try:
        return jdatetime.date(year, month, day).togregorian()
    except (ValueError, TypeError) as exc:
        raise InvalidDate(
            "no such Jalali date: %(year)s/%(month)s/%(day)s",
            params={"year": year, "month": month, "day": day, "value": to_persian_digits(f"{year}/{month}/{day}")},
        ) from exc


def parse_jalali(text: str) -> dt.date:
    """Parse 'YYYY/MM/DD' (or with '-'), Persian or ASCII digits."""
    clean = to_ascii_digits(text.strip()).replace("-", "/")
    parts = clean.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise InvalidDate(
            "Jalali date must look like 1405/02/11, got %(text)s", params={"text": repr(text)},
        )
    return from_jalali(*(int(p) for p in parts))


def format_jalali(day: dt.date, *, persian_digits: bool = True, long: bool = False) -> str:
    """1405/02/11, or '11 Ordibehesht 1405' (the month's Persian name) with ``long``; Persian digits by default."""
    j = to_jalali(day)
    text = (
        f"{j.day} {JALALI_MONTHS_FA[j.month - 1]} {j.year}"
        if long
        else f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    )
    return to_persian_digits(text) if persian_digits else text


def format_jalali_en(day: dt.date) -> str:
    j = to_jalali(day)
    return f"{j.day} {JALALI_MONTHS_EN[j.month - 1]} {j.year}"


def format_datetime_fa(moment: dt.datetime) -> str:
    """An aware datetime shown in Tehran time, Jalali date, Persian digits."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Entekhab keeps aware UTC datetimes inside")
    local = moment.astimezone(TEHRAN)
    return f"{format_jalali(local.date())} {to_persian_digits(local.strftime('%H:%M'))}"


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` (a person born on 29 Feb turns a year older on 1 Mar)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years
