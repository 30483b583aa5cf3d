"""Figures of a plan for pages: decimals and percentages in Persian digits (English on English pages)."""

from __future__ import annotations

import math

from django import template
from django.utils.translation import get_language

from entekhab.planning.report import fa_num, fa_pct

register = template.Library()


@register.filter
def dec(value: float | None, digits: int = 1) -> str:
    """A decimal; None or infinity (no device of a kind: nobody is served) shows as ∞."""
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "∞"
    if not isinstance(value, int | float):
        return "—"
    if get_language() == "en":
        return f"{value:,.{digits}f}"
    return fa_num(float(value), digits)


@register.filter
def pct(value: float | None) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    if get_language() == "en":
        return f"{value * 100:.0f}%"
    return fa_pct(float(value))


@register.filter
def whole(value: float | None) -> str:
    """A float count (expected voters) rounded and grouped."""
    from entekhab.hq.web.display import localise_number

    return localise_number(round(value)) if isinstance(value, int | float) else "—"
