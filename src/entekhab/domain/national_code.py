"""The Iranian national code (*kod-e melli*): ten digits, the last a mod-11 check digit.

Check digit: s = sum(d[i] * (10 - i)) for the first nine digits, r = s mod 11;
the check digit is r when r < 2, else 11 - r. Codes of one repeated digit pass
that arithmetic but are never issued, so they are refused too.

A known weakness of the scheme: r = 1 and r = 10 both give check digit 1, so a
single-digit change in a code whose check digit is 1 can yield another valid
code. Every other single-digit change is caught (see the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NewType

from entekhab.domain.digits import to_ascii_digits, to_persian_digits
from entekhab.domain.errors import DomainError

NationalCodeStr = NewType("NationalCodeStr", str)


class InvalidNationalCode(DomainError):
    code = "invalid_national_code"


def check_digit(first_nine: str) -> int:
    """The check digit that completes nine digits into a national code."""
    s = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    r = s % 11
    return r if r < 2 else 11 - r


def parse_national_code(raw: object) -> NationalCodeStr:
    """Normalise and validate a national code, or raise InvalidNationalCode naming the problem.

    Persian and Arabic digits are accepted; spaces and dashes around groups are
    ignored. Shorter codes are refused rather than zero-padded: a policy, since
    padding hides a mistyped leading digit.
    """
    if not isinstance(raw, str):
        raise InvalidNationalCode(
            "national code must be text"
        )
    text = to_ascii_digits(raw.strip()).replace("-", "").replace(" ", "")
    if not text:
        raise InvalidNationalCode("national code is empty")
    if not text.isascii() or not text.isdigit():
        raise InvalidNationalCode(
            "national code must contain digits only"
        )
    if len(text) != 10:
        raise InvalidNationalCode(
            "national code must have 10 digits, got %(text)s",
            params={"text": len(text), "text2": to_persian_digits(len(text))},
        )
    if len(set(text)) == 1:
        raise InvalidNationalCode(
            "national code cannot be one repeated digit"
        )
    if check_digit(text[:9]) != int(text[9]):
        raise InvalidNationalCode(
            "national code check digit is wrong"
        )
    return NationalCodeStr(text)


def is_valid_national_code(raw: object) -> bool:
    try:
        parse_national_code(raw)
    except InvalidNationalCode:
        return False
    return True


@dataclass(frozen=True, slots=True)
class NationalCode:
    """A validated national code; construct with ``NationalCode.parse``."""

    value: NationalCodeStr

    @classmethod
    def parse(cls, raw: object) -> NationalCode:
        return cls(parse_national_code(raw))

    def __str__(self) -> str:
        return self.value

    def masked(self) -> str:
        """For logs and screens: the first three and last digit only."""
        return f"{self.value[:3]}******{self.value[-1]}"


def make_national_code(first_nine: str) -> NationalCodeStr:
    """Complete nine digits with their check digit (for demo data and tests)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need exactly nine ASCII digits")
    return parse_national_code(first_nine + str(check_digit(first_nine)))
