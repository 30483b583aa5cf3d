"""Display helpers: Persian digits and Jalali dates in the admin and pages (display only)."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

from entekhab.domain.digits import PERCENT_SIGN, persian_numerals, to_ascii_digits, to_persian_digits
from entekhab.domain.jalali import format_datetime_fa, format_jalali

# A number written as text ("45.3", "-2"): shown like the number it is.
NUMERIC = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# A Latin identifier inside text: a code, serial, hash or file name mixes Latin letters with
# digits (C01-T01-R01-0001, Ed25519, S-3f2a…) or joins Latin words by - _ . / (council-tehran).
IDENTIFIER = re.compile(
    r"(?<![A-Za-z0-9._:/+=#@~…-])"
    r"(?:[A-Za-z0-9._:/+=#@~…-]*[A-Za-z][A-Za-z0-9._:/+=#@~…-]*[0-9][A-Za-z0-9._:/+=#@~…-]*"
    r"|[A-Za-z0-9._:/+=#@~…-]*[0-9][A-Za-z0-9._:/+=#@~…-]*[A-Za-z][A-Za-z0-9._:/+=#@~…-]*"
    r"|[A-Za-z]+(?:[-_.:/+][A-Za-z0-9]+)+"
    r"|\{[A-Za-z_][A-Za-z0-9_]*\})"  # a message's placeholder
    r"(?![A-Za-z0-9])"
)


# Fields holding a lifecycle's code without a choice list (a device event, a vetting action): shown by label.
CODE_FIELDS = frozenset({"event", "from_state", "to_state", "action"})
# Fields whose values are Latin identifiers even as one plain word (a rule code "age", a user name "demo").
IDENTIFIER_FIELDS = frozenset({"code", "actor_name", "username", "serial", "tracking", "ref", "seed"})
# A Persian text followed by its English twin in parentheses: "…, Article 37 (Art. 37)".
_NOT_FA = r"[^()\u0600-\u06ff]*"
ENGLISH_TWIN = re.compile(
    r"(?P<fa>.*[\u0600-\u06ff].*?)\s*\((?P<en>"
    + _NOT_FA + r"[A-Za-z]" + _NOT_FA + r"(?:\([^()]*\))?" + _NOT_FA + r")\)\s*$",
    re.S,
)


def localise_number(value: Any) -> str:
    """Thousands-grouped; Persian digits and the Persian thousands and decimal separators unless the page is English.

    Integers, ``Decimal``, floats and numbers written as text all show alike, so a
    fraction has one decimal separator on every page.
    """
    if isinstance(value, str) and NUMERIC.fullmatch(value.strip()):
        value = decimal.Decimal(value.strip())
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int | decimal.Decimal | float):
        text = f"{value:,}"
    else:
        return str(value) if get_language() == "en" else to_persian_digits(value)
    if get_language() == "en":
        return text
    return persian_numerals(text)


def code_label(value: Any) -> str:
    """A stored code ("pass_test", "approved") by its label in the catalogue; a code it lacks stays a code."""
    from django.utils.translation import gettext

    text = str(value or "")
    label = gettext(text) if text else text
    return label if label != text or get_language() == "en" else ltr_identifier(text)


def localise_percent(value: Any) -> str:
    """A percentage already multiplied by 100 (``45.3``: Persian digits, decimal separator and percent sign)."""
    if value is None or value == "":
        return "—"
    return localise_number(value) + ("%" if get_language() == "en" else PERCENT_SIGN)


def ltr_identifier(value: Any) -> str:
    """A Latin identifier isolated left to right, with Latin digits whatever digits it arrived with."""
    return format_html('<bdi dir="ltr">{}</bdi>', to_ascii_digits(str(value)))


def with_identifiers_ltr(text: str) -> str:
    """Text in which each Latin identifier is isolated left to right (escaped; safe to show)."""
    from django.utils.html import escape

    if not IDENTIFIER.search(text):
        return text
    out, last = [], 0
    for m in IDENTIFIER.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(f'<bdi dir="ltr">{escape(m.group())}</bdi>')
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


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


def boolean_icon(value: bool | None) -> str:
    """Django's yes/no icon with its text in the page's language (Django writes alt="True")."""
    from django.templatetags.static import static
    from django.utils.translation import gettext

    name = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: gettext("Yes"), False: gettext("No"), None: gettext("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


def _admin_value(value: Any, shown: Any) -> Any:
    """What the back office shows for a value Django has already turned into text."""
    if isinstance(value, bool):
        return boolean_icon(value)
    if isinstance(value, int | decimal.Decimal | float):
        return localise_number(value)
    if isinstance(shown, SafeData) or not isinstance(shown, str):
        return shown
    twin = ENGLISH_TWIN.fullmatch(shown)
    if twin:
        return format_html('{} <span lang="en" dir="ltr">({})</span>', with_identifiers_ltr(twin["fa"]), twin["en"])
    return with_identifiers_ltr(shown)


def persian_in_admin() -> None:
    """Every value the back office shows in Persian: Jalali dates, Persian digits, yes/no, identifiers LTR.

    Django's admin renders a model's values through ``display_for_field`` and a callable's
    through ``display_for_value``: dates in the Gregorian calendar (Persian month names of
    it: "1 May 2026" in Persian), numbers in Latin digits, booleans as ``alt="True"``, codes in the
    page's right-to-left flow. It has no hook for another calendar or digits, so both are
    wrapped once, here, where the admin modules import them. Choices keep their labels.
    The admin's forms get Jalali date fields (see :mod:`entekhab.hq.web.forms`).
    """
    from django.contrib.admin import helpers, utils
    from django.contrib.admin.templatetags import admin_list
    from django.db import models

    if getattr(utils.display_for_field, "persian", False):
        return
    by_field, by_value = utils.display_for_field, utils.display_for_value

    def display_for_field(value: Any, field: Any, empty_value_display: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(field, "flatchoices", None):
            return by_field(value, field, empty_value_display, *args, **kwargs)
        if isinstance(value, dt.date):
            return localise_date(value)
        if isinstance(field, models.BooleanField):
            return boolean_icon(value)
        if value in getattr(field, "empty_values", ()) or value is None:
            return by_field(value, field, empty_value_display, *args, **kwargs)
        if isinstance(field, models.JSONField):
            return ltr_json(value)
        if getattr(field, "name", "").endswith("_en") and isinstance(value, str):
            return format_html('<span lang="en" dir="ltr">{}</span>', value)  # the English twin of a name
        if getattr(field, "name", "") in CODE_FIELDS and isinstance(value, str):
            return code_label(value)
        if getattr(field, "name", "") in IDENTIFIER_FIELDS and isinstance(value, str):
            return ltr_identifier(value)
        return _admin_value(value, by_field(value, field, empty_value_display, *args, **kwargs))

    def display_for_value(value: Any, empty_value_display: Any, boolean: bool = False, *args: Any,
                          **kwargs: Any) -> Any:
        if boolean:
            return boolean_icon(value)
        if isinstance(value, dt.date):
            return localise_date(value)
        if value is None or value == "":
            return by_value(value, empty_value_display, *args, **kwargs)
        return _admin_value(value, by_value(value, empty_value_display, *args, **kwargs))

    for fn in (display_for_field, display_for_value):
        fn.persian = True  # type: ignore[attr-defined]
    for module in (utils, helpers, admin_list):
        if hasattr(module, "display_for_field"):
            module.display_for_field = display_for_field
        if hasattr(module, "display_for_value"):
            module.display_for_value = display_for_value
    admin_list._boolean_icon = boolean_icon
    translate_model_labels()
    from entekhab.hq.web.forms import jalali_admin_forms

    jalali_admin_forms()


def translate_model_labels() -> None:
    """Every model's field names and choice labels go through the catalogue.

    A field declared without ``verbose_name`` is labelled by Django from its name
    ("eligible estimate") and a choice often by its code ("hq_admin"), as plain strings
    that no catalogue sees; here each plain label becomes the msgid it already is, and
    ``django.po`` gives it in Persian. A plural Django made by adding "s" to a Persian
    name (a Persian plural with a Latin "s") becomes the name. Labels only: no stored value or migration changes.
    """
    from django.apps import apps
    from django.utils.functional import Promise
    from django.utils.translation import gettext_lazy

    def lazy(label: Any) -> Any:
        return gettext_lazy(label) if isinstance(label, str) and label else label

    for model in apps.get_models():
        opts = model._meta
        if isinstance(opts.verbose_name_plural, str) and opts.verbose_name_plural == f"{opts.verbose_name}s":
            opts.verbose_name_plural = opts.verbose_name
        for field in opts.get_fields():
            if isinstance(getattr(field, "verbose_name", None), str) and not isinstance(field.verbose_name, Promise):
                field.verbose_name = lazy(field.verbose_name)
            choices = getattr(field, "choices", None)
            if choices and all(isinstance(c, list | tuple) and len(c) == 2 and not isinstance(c[1], list | tuple)
                               for c in choices):
                field.choices = [(value, lazy(label)) for value, label in choices]


def ltr_json(value: Any) -> str:
    """A JSON value is data: shown as written, left to right, in Latin digits."""
    import json

    return format_html('<code dir="ltr">{}</code>', json.dumps(value, ensure_ascii=False))


# The name this was first known by (dates only); it now makes the whole back office Persian.
jalali_in_admin = persian_in_admin
