"""Form fields for Persian-first entry: Jalali dates (and date-times) and national codes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy

from entekhab.domain.digits import COMMA, to_ascii_digits
from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import TEHRAN, format_jalali, parse_jalali
from entekhab.domain.national_code import parse_national_code
from entekhab.hq.web.access import localised_message as _message
from entekhab.i18n import both, gettext_in


def _pick(fa: str, en: str) -> str:
    return en if get_language() == "en" else fa


# A label with its Persian and English twins, picked when the form is shown.
bi = lazy(_pick, str)


class JalaliDateField(forms.CharField):
    """Typed as 1405/02/11 (Persian or ASCII digits), stored as a Gregorian date."""

    MAX_CHARS = 20

    def __init__(self, **kwargs):
        # No max_length: CharField would check it against the parsed date; the raw text is
        # checked in to_python instead.
        kwargs.pop("max_length", None)
        kwargs.setdefault("help_text", gettext_lazy("Jalali date, e.g. 1405/02/11"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", str(self.MAX_CHARS))

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return format_jalali(value, persian_digits=False)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > self.MAX_CHARS:
            message = gettext_in("en" if get_language() == "en" else "fa", "Jalali date is too long")
            raise forms.ValidationError(message, code="invalid_date")
        try:
            return parse_jalali(value)
        except DomainError as exc:
            raise forms.ValidationError(_message(exc), code=exc.code) from exc


class JalaliDateTimeField(forms.CharField):
    """Typed as 1405/02/11 14:30 (Tehran time; Persian or ASCII digits), stored as an aware UTC datetime.

    A date alone means midnight in Tehran. Shown back the same way, so a form that comes
    back with an error keeps what the person typed.
    """

    MAX_CHARS = 30
    FORM = re.compile(r"(?P<date>[0-9]{3,4}[/-][0-9]{1,2}[/-][0-9]{1,2})"
                      r"(?:[ T" + COMMA + r",]+(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        kwargs.setdefault("help_text", gettext_lazy("Jalali date and Tehran time, e.g. 1405/02/11 14:30"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", str(self.MAX_CHARS))
        self.widget.attrs.setdefault("dir", "ltr")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            local = value.astimezone(TEHRAN) if value.tzinfo else value
            return f"{format_jalali(local.date(), persian_digits=False)} {local:%H:%M}"
        return value

    def to_python(self, value: Any) -> dt.datetime | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = self.FORM.fullmatch(to_ascii_digits(value.strip())) if len(value) <= self.MAX_CHARS else None
        if match is None:
            raise forms.ValidationError(_bad_moment(), code="invalid_datetime")
        try:
            day = parse_jalali(match["date"])
        except DomainError as exc:
            raise forms.ValidationError(_message(exc), code=exc.code) from exc
        try:
            clock = dt.time(int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0))
        except ValueError as exc:
            raise forms.ValidationError(_bad_moment(), code="invalid_datetime") from exc
        return dt.datetime.combine(day, clock, TEHRAN).astimezone(dt.UTC)


def _bad_moment() -> str:
    if get_language() == "en":
        return "Enter a Jalali date and time like 1405/02/11 14:30"
    return gettext_in("fa", "Enter a Jalali date and time like 1405/02/11 14:30")


def jalali_admin_forms() -> None:
    """The back office's date and date-time inputs take and show Jalali dates.

    Django's admin builds a ``DateField``'s input from its Gregorian widgets (a calendar
    pop-up and "Today"); here every model ``DateField`` gets :class:`JalaliDateField` and
    every ``DateTimeField`` :class:`JalaliDateTimeField`, both plain text inputs.
    """
    from django.contrib.admin.options import BaseModelAdmin
    from django.db import models

    if getattr(BaseModelAdmin.formfield_for_dbfield, "jalali", False):
        return
    original = BaseModelAdmin.formfield_for_dbfield

    def formfield_for_dbfield(self: BaseModelAdmin, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if isinstance(db_field, models.DateField) and not db_field.choices:
            form_class = JalaliDateTimeField if isinstance(db_field, models.DateTimeField) else JalaliDateField
            kwargs.pop("widget", None)
            return db_field.formfield(form_class=form_class, widget=forms.TextInput(attrs={"dir": "ltr"}), **kwargs)
        return original(self, db_field, request, **kwargs)

    formfield_for_dbfield.jalali = True  # type: ignore[attr-defined]
    BaseModelAdmin.formfield_for_dbfield = formfield_for_dbfield


class NationalCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return parse_national_code(value)
        except DomainError as exc:
            raise forms.ValidationError(_message(exc), code=exc.code) from exc


class NationalCodeCheckForm(forms.Form):
    national_code = NationalCodeField(label=" / ".join(both("National code")))
