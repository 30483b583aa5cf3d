"""Persian, Arabic-Indic and ASCII digits.

Voters and officials type on Persian keyboards, so every entry point normalises
digits before validating; pages show Persian digits.
"""

from __future__ import annotations

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ASCII_DIGITS = "0123456789"

_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, ASCII_DIGITS * 2)
_TO_PERSIAN = str.maketrans(ASCII_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)


def to_ascii_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with ASCII digits."""
    return text.translate(_TO_ASCII)


def to_persian_digits(value: object) -> str:
    """Render a value with Persian digits (for display only)."""
    return str(value).translate(_TO_PERSIAN)
