"""Every entry point that takes a national code answers a bad one with a clear error."""

from __future__ import annotations

import pytest
from django.utils import translation
from typer.testing import CliRunner

from entekhab.cli import app
from entekhab.hq.web.forms import NationalCodeCheckForm

BAD = [("0499370898", "check digit"), ("049937089", "10 digits"), ("abc", "digits only"), ("2222222222", "repeated")]


@pytest.mark.parametrize(("code", "fragment"), BAD)
def test_cli_refuses_with_exit_code_2(code, fragment):
    result = CliRunner().invoke(app, ["national-code", code])
    assert result.exit_code == 2
    assert fragment in result.output and "Traceback" not in result.output


def test_cli_accepts_persian_digits():
    result = CliRunner().invoke(app, ["national-code", "۰۴۹۹۳۷۰۸۹۹"])
    assert result.exit_code == 0 and "0499370899" in result.output


@pytest.mark.parametrize(("code", "fragment"), BAD)
def test_form_field_error_is_persian_on_persian_pages(code, fragment):
    with translation.override("fa"):
        form = NationalCodeCheckForm({"national_code": code})
        assert not form.is_valid()
        message = form.errors["national_code"][0]
    assert "کد ملی" in message
    with translation.override("en"):
        form = NationalCodeCheckForm({"national_code": code})
        assert not form.is_valid()
        assert fragment in form.errors["national_code"][0]


def test_form_field_normalises_a_good_code():
    form = NationalCodeCheckForm({"national_code": " ۰۴۹۹۳۷۰۸۹۹ "})
    assert form.is_valid() and form.cleaned_data["national_code"] == "0499370899"
