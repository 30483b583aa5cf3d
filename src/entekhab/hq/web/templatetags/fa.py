"""Template filters for Persian-first pages: ``num``, ``jdate``, ``fa_digits``, ``ltr`` (Latin identifiers)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from entekhab.domain.digits import to_persian_digits
from entekhab.hq.web.display import localise_date, localise_number

register = template.Library()


@register.filter
def num(value):
    return localise_number(value)


@register.filter
def jdate(value):
    return localise_date(value)


@register.filter
def fa_digits(value):
    return str(value) if get_language() == "en" else to_persian_digits(value)


@register.filter
def ltr(value):
    """A Latin identifier (branch code, hash) isolated left to right, so RTL text around it cannot reorder it."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.simple_tag(takes_context=True)
def bi(context, fa: str, en: str) -> str:
    """Inline bilingual text for short labels that live in templates."""
    return en if get_language() == "en" else fa


@register.filter
def frac(value, places: int = 4):
    """An exact fraction for reading: rounded half up, «≈» when rounded, Persian digits and «٫» in Persian."""
    from fractions import Fraction

    from entekhab.counting.explain import num as sentence_number

    if value is None or value == "":
        return "—"
    return sentence_number(Fraction(value), "en" if get_language() == "en" else "fa", int(places))


@register.filter
def percent(value, places: int = 2):
    """A fraction of a whole (0 … 1) as a percentage, exact or «≈», with the Persian percent sign in Persian."""
    from fractions import Fraction

    if value is None or value == "":
        return "—"
    return f"{frac(Fraction(value) * 100, places)}{'%' if get_language() == 'en' else '٪'}"
