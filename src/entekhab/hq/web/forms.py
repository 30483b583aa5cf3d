"""Form fields for Persian-first entry: Jalali dates and national codes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import get_language

from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import format_jalali, parse_jalali
from entekhab.domain.national_code import parse_national_code
from entekhab.hq.web.access import localised_message as _message


class JalaliDateField(forms.CharField):
    """Typed as 1405/02/11 (Persian or ASCII digits), stored as a Gregorian date."""

    MAX_CHARS = 20

    def __init__(self, **kwargs):
        # No max_length: CharField would check it against the parsed date; the raw text is
        # checked in to_python instead.
        kwargs.pop("max_length", None)
        kwargs.setdefault("help_text", "۱۴۰۵/۰۲/۱۱ (YYYY/MM/DD, Jalali)")
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
            message = "Jalali date is too long" if get_language() == "en" else "تاریخ شمسی بیش از حد طولانی است"
            raise forms.ValidationError(message, code="invalid_date")
        try:
            return parse_jalali(value)
        except DomainError as exc:
            raise forms.ValidationError(_message(exc), code=exc.code) from exc


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
    national_code = NationalCodeField(label="کد ملی / National code")
