"""Display helpers: Persian digits and Jalali dates in the admin and pages (display only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.utils.translation import get_language

from entekhab.domain.digits import to_persian_digits
from entekhab.domain.jalali import format_datetime_fa, format_jalali


def localise_number(value: Any) -> str:
    """Thousands-grouped; Persian digits and the Persian separator unless the page is English."""
    text = f"{value:,}" if isinstance(value, int) else str(value)
    if get_language() == "en":
        return text
    return to_persian_digits(text.replace(",", "٬"))


def localise_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "minutes") if get_language() == "en" else format_datetime_fa(value)
    return value.isoformat() if get_language() == "en" else format_jalali(value)


def persian_number(field: str) -> Callable[[Any], str]:
    def show(obj: Any) -> str:
        return localise_number(getattr(obj, field))

    return admin.display(description=_field_label(field), ordering=field)(show)


def jalali_datetime(field: str) -> Callable[[Any], str]:
    def show(obj: Any) -> str:
        return localise_date(getattr(obj, field))

    return admin.display(description=_field_label(field), ordering=field)(show)


def _field_label(field: str) -> str:
    from django.utils.functional import lazy

    def label() -> str:
        from django.utils.translation import gettext

        return gettext(field.replace("_", " "))

    return lazy(label, str)()
