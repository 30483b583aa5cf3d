"""Template filters for Persian-first pages.

``num`` for quantities (Persian digits, thousands and decimal separators), ``percent`` for a
percentage (``45.3`` with the Persian percent sign), ``jdate`` for dates, ``fa_digits`` for digits in text,
``ltr`` for Latin identifiers (codes, hashes, file names, key ids): isolated left to right
and always in Latin digits, so «Ed25519» never gets Persian digits.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from entekhab.domain.digits import PERCENT_SIGN, to_persian_digits
from entekhab.hq.web.display import code_label, localise_date, localise_number, localise_percent, ltr_identifier

register = template.Library()


@register.filter
def num(value):
    return localise_number(value)


@register.filter
def percent(value):
    return localise_percent(value)


@register.filter
def jdate(value):
    return localise_date(value)


@register.filter
def fa_digits(value):
    return str(value) if get_language() == "en" else to_persian_digits(value)


@register.filter
def ltr(value):
    """A Latin identifier (branch code, hash) isolated left to right, so RTL text around it cannot reorder it."""
    return ltr_identifier(value)


@register.filter
def fa_text(value):
    """Free text (an address, a note): its Latin identifiers isolated left to right, other digits Persian."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    from entekhab.hq.web.digits import persian_text

    return str(value) if get_language() == "en" else mark_safe(persian_text(escape(str(value))))


@register.filter
def label(value):
    """A stored code shown by its label (``pass_test`` → its Persian label, "passed the test")."""
    return code_label(value)


@register.filter
def lookup(mapping, key):
    """``mapping[key]``, or nothing: for a name looked up by code."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.simple_tag(takes_context=True)
def bi(context, fa: str, en: str) -> str:
    """Inline bilingual text for short labels that live in templates."""
    return en if get_language() == "en" else fa


@register.filter
def frac(value, places: int = 4):
    """An exact fraction for reading: rounded half up, «≈» when rounded; Persian digits and separator in Persian."""
    from fractions import Fraction

    from entekhab.counting.explain import num as sentence_number

    if value is None or value == "":
        return "—"
    return sentence_number(Fraction(value), "en" if get_language() == "en" else "fa", int(places))


@register.filter
def share_percent(value, places: int = 2):
    """A fraction of a whole (0 … 1) as a percentage, exact or «≈», with the Persian percent sign in Persian."""
    from fractions import Fraction

    if value is None or value == "":
        return "—"
    return f"{frac(Fraction(value) * 100, places)}{'%' if get_language() == 'en' else PERCENT_SIGN}"
