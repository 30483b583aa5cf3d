"""Persian display: numbers with one decimal separator, identifiers LTR in Latin digits, Jalali date inputs."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.utils import translation

from entekhab.domain.jalali import TEHRAN, from_jalali
from entekhab.hq.web.digits import persian_digits_in_html
from entekhab.hq.web.display import code_label, localise_number, localise_percent, ltr_identifier
from entekhab.hq.web.forms import JalaliDateField, JalaliDateTimeField


@pytest.fixture(autouse=True)
def persian():
    with translation.override("fa"):
        yield


def test_numbers_have_one_decimal_separator_whatever_their_type():
    from decimal import Decimal

    assert localise_number(1234567) == "۱٬۲۳۴٬۵۶۷"
    assert localise_number(45.3) == localise_number(Decimal("45.3")) == localise_number("45.3") == "۴۵٫۳"
    assert localise_percent("45.3") == "۴۵٫۳٪" and localise_percent(None) == "—"
    with translation.override("en"):
        assert localise_number(45.3) == "45.3" and localise_percent(7) == "7%"


def test_identifiers_keep_latin_digits_even_when_given_persian_ones():
    assert ltr_identifier("Ed25519") == '<bdi dir="ltr">Ed25519</bdi>'
    assert ltr_identifier("C۰۱-T۰۱-R۰۱-۰۰۰۱") == '<bdi dir="ltr">C01-T01-R01-0001</bdi>'
    assert ltr_identifier("<x>") == '<bdi dir="ltr">&lt;x&gt;</bdi>'


def test_identifiers_are_drawn_with_latin_digits():
    """The page font's FD cut draws every digit Persian; an identifier must use the plain cut."""
    from pathlib import Path

    import entekhab.hq.web as web

    css = (Path(web.__file__).parent / "static" / "web" / "entekhab.css").read_text()
    rule = 'html[lang="fa"] [dir="ltr"], html[lang="fa"] .ltr, html[lang="fa"] [lang="en"] { font-family: "Vazirmatn",'
    assert rule in css


def test_template_filters(rf):
    from django.template import Context, Template

    html = Template('{{ "Ed25519"|ltr }} {{ p|percent }} {{ a|fa_text }} {{ "pass_test"|label }}').render(
        Context({"p": 12.5, "a": "P23-C01-T01-R01 / 1 <b>"}))
    assert html == ('<bdi dir="ltr">Ed25519</bdi> ۱۲٫۵٪ <bdi dir="ltr">P23-C01-T01-R01</bdi> / ۱ &lt;b&gt; '
                    "قبولی در آزمون")
    assert code_label("no_such_code") == '<bdi dir="ltr">no_such_code</bdi>'


def test_back_office_text_gets_persian_digits_but_identifiers_scripts_and_data_do_not():
    html = ('<p>3 نتیجه (<a href="?p=2">40 total</a>)</p><p>C01-T01-R01-0001 &#39;x&#39;</p>'
            '<span dir="ltr">v2 12</span><script>var n = 3;</script><textarea>12</textarea>'
            '<input value="12"><option>C01-T01 · 5</option><span title="اولویت: 2" data-x="7"></span>')
    out = persian_digits_in_html(html)
    assert out == ('<p>۳ نتیجه (<a href="?p=2">۴۰ total</a>)</p>'
                   '<p><bdi dir="ltr">C01-T01-R01-0001</bdi> &#39;x&#39;</p>'
                   '<span dir="ltr">v2 12</span><script>var n = 3;</script><textarea>12</textarea>'
                   '<input value="12"><option>C01-T01 · ۵</option><span title="اولویت: ۲" data-x="7"></span>')


def test_jalali_datetime_field_reads_persian_or_latin_digits_in_tehran_time():
    field = JalaliDateTimeField()
    moment = field.clean("۱۴۰۵/۰۳/۱۵ ۱۴:۳۰")
    assert moment == dt.datetime.combine(from_jalali(1405, 3, 15), dt.time(14, 30), TEHRAN)
    assert moment.tzinfo is dt.UTC
    assert field.clean("1405-03-15") == dt.datetime.combine(from_jalali(1405, 3, 15), dt.time(0), TEHRAN)
    assert field.prepare_value(moment) == "1405/03/15 14:30"
    assert JalaliDateField().prepare_value(from_jalali(1405, 2, 11)) == "1405/02/11"


@pytest.mark.parametrize("text", ["1405/13/01", "۱۴۰۵/۰۲/۳۲ ۱۰:۰۰", "1405/02/11 25:00", "2026-05-01T10", "فردا"])
def test_a_bad_jalali_moment_is_refused_in_persian(text):
    with pytest.raises(forms.ValidationError) as caught:
        JalaliDateTimeField().clean(text)
    message = caught.value.messages[0]
    assert any("\u0600" <= ch <= "\u06ff" for ch in message) and not any("a" <= ch <= "z" for ch in message)


def test_every_back_office_date_input_is_jalali(rf, django_user_model, db):
    """Each admin form's model date and date-time fields are the Jalali fields."""
    from django.db import models

    user = django_user_model.objects.create_superuser("root-test", password="x-Strong-Pass-1405")
    request = rf.get("/admin/")
    request.user = user
    checked = 0
    for model, model_admin in admin.site._registry.items():
        dates = [f.name for f in model._meta.fields if isinstance(f, models.DateField) and f.editable]
        if not dates:
            continue
        form = model_admin.get_form(request, None)
        for name in dates:
            if name in form.base_fields:
                assert isinstance(form.base_fields[name], JalaliDateField | JalaliDateTimeField), (model, name)
                checked += 1
    assert checked >= 5


def test_change_forms_show_and_take_jalali_dates(client, django_user_model, rf, election):
    import re

    from django.db import models

    user = django_user_model.objects.create_superuser("root-test", password="x-Strong-Pass-1405")
    client.force_login(user)
    request = rf.get("/admin/")
    request.user = user
    shown = []
    for model, model_admin in admin.site._registry.items():
        dates = [f for f in model._meta.fields if isinstance(f, models.DateField) and f.editable]
        first = model._default_manager.order_by("pk").first()
        if not dates or first is None:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{first.pk}/change/"
        html = client.get(url).content.decode()
        for f in dates:
            field = re.search(rf'<input[^>]*name="{f.name}"[^>]*>', html)
            value = getattr(first, f.name)
            if field is None or value is None:
                continue
            form_field = model_admin.get_form(request, first).base_fields[f.name]
            assert f'value="{form_field.prepare_value(value)}"' in field.group(), field.group()
            assert value.isoformat()[:10] not in field.group()
            typed = "۱۴۰۵/۰۳/۱۵ ۰۹:۰۰" if isinstance(f, models.DateTimeField) else "1405-03-15"
            bound = model_admin.get_form(request, first)(data={f.name: typed}, instance=first)
            bound.is_valid()
            assert f.name not in bound.errors
            wrong = model_admin.get_form(request, first)(data={f.name: "1405/14/01"}, instance=first)
            assert not wrong.is_valid() and any("\u0600" <= ch <= "\u06ff" for ch in wrong.errors[f.name][0])
            shown.append(f"{model._meta.label}.{f.name}")
    assert shown, "no change form with a date input in the demo"
