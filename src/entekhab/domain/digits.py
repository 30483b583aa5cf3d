"""Persian, Arabic-Indic and ASCII digits, and the Persian number and list punctuation.

Voters and officials type on Persian keyboards, so every entry point normalises
digits before validating; pages show Persian digits. The characters are named by their
Unicode names, defined once here, so no other module spells them out.
"""

from __future__ import annotations

PERSIAN_DIGITS = "".join(chr(0x06F0 + d) for d in range(10))  # EXTENDED ARABIC-INDIC DIGIT ZERO … NINE
ARABIC_DIGITS = "".join(chr(0x0660 + d) for d in range(10))  # ARABIC-INDIC DIGIT ZERO … NINE
ASCII_DIGITS = "0123456789"

THOUSANDS_SEPARATOR = "\N{ARABIC THOUSANDS SEPARATOR}"
DECIMAL_SEPARATOR = "\N{ARABIC DECIMAL SEPARATOR}"
PERCENT_SIGN = "\N{ARABIC PERCENT SIGN}"
COMMA = "\N{ARABIC COMMA}"
SEMICOLON = "\N{ARABIC SEMICOLON}"
LIST_SEPARATOR = COMMA + " "  # between the items of a Persian list
CLAUSE_SEPARATOR = SEMICOLON + " "  # between the sentences of a Persian list of reasons

_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, ASCII_DIGITS * 2)
_TO_PERSIAN = str.maketrans(ASCII_DIGITS + ARABIC_DIGITS, PERSIAN_DIGITS * 2)


def to_ascii_digits(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with ASCII digits."""
    return text.translate(_TO_ASCII)


def to_persian_digits(value: object) -> str:
    """Render a value with Persian digits (for display only)."""
    return str(value).translate(_TO_PERSIAN)


def persian_numerals(text: str) -> str:
    """A number formatted the English way (``12,345.6``) in Persian digits and separators."""
    return to_persian_digits(text.replace(",", THOUSANDS_SEPARATOR).replace(".", DECIMAL_SEPARATOR))


def list_separator(lang: str) -> str:
    return LIST_SEPARATOR if lang == "fa" else ", "


def clause_separator(lang: str) -> str:
    return CLAUSE_SEPARATOR if lang == "fa" else "; "
