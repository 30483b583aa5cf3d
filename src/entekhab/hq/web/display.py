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


def jalali_in_admin() -> None:
    """Every date the back office shows, in lists and on read-only fields, in the Jalali calendar.

    Django's admin renders a model's dates through ``display_for_field`` and a callable's
    through ``display_for_value``, always in the Gregorian calendar (Persian month names of
    it: «۱ مه ۲۰۲۶»). It has no hook for another calendar, so both are wrapped once, here,
    where the admin modules import them; anything that is not a date passes through unchanged.
    """
    from django.contrib.admin import helpers, utils
    from django.contrib.admin.templatetags import admin_list

    if getattr(utils.display_for_field, "jalali", False):
        return
    by_field, by_value = utils.display_for_field, utils.display_for_value

    def display_for_field(value: Any, field: Any, empty_value_display: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.date) and not getattr(field, "flatchoices", None):
            return localise_date(value)
        return by_field(value, field, empty_value_display, *args, **kwargs)

    def display_for_value(value: Any, empty_value_display: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.date):
            return localise_date(value)
        return by_value(value, empty_value_display, *args, **kwargs)

    for fn in (display_for_field, display_for_value):
        fn.jalali = True  # type: ignore[attr-defined]
    for module in (utils, helpers, admin_list):
        if hasattr(module, "display_for_field"):
            module.display_for_field = display_for_field
        if hasattr(module, "display_for_value"):
            module.display_for_value = display_for_value
