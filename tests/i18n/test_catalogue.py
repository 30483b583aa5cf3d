"""The catalogue behind ``entekhab.i18n``: Persian from the .mo, English from the code, never a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entekhab import i18n
from entekhab.domain.errors import DomainError

PO = Path(i18n.__file__).parent / "locale" / "fa" / "LC_MESSAGES" / "entekhab.po"


def test_the_compiled_catalogue_exists_and_translates():
    assert (PO.with_suffix(".mo")).is_file(), "run make messages"
    assert i18n.render("error", None, "fa") == "خطا"
    assert i18n.render("error", None, "en") == "error"


def test_a_domain_error_with_parameters_renders_in_both_languages():
    exc = DomainError("%(path)s is not a folder", code="x", params={"path": "/tmp/a1"})
    assert exc.message_en == "/tmp/a1 is not a folder"
    assert exc.message_fa == "/tmp/a1 پوشه نیست"
    assert exc.params == {"path": "/tmp/a1"} and exc.msgid == "%(path)s is not a folder"
    with i18n.language("en"):
        assert exc.render() == exc.message_en
    with i18n.language("fa"):
        assert exc.render() == exc.message_fa


def test_an_unknown_message_falls_back_to_english():
    assert i18n.render("no such message %(n)s", {"n": 3}, "fa") == "no such message 3"


def test_a_translation_whose_parameters_drifted_says_english_instead_of_crashing(monkeypatch):
    monkeypatch.setattr(i18n, "gettext_in", lambda lang, msgid: "%(missing)s خراب")
    assert i18n.render("fine %(n)s", {"n": 1}, "fa") == "fine 1"


def test_catalogued_tables_keep_their_context_apart():
    a = i18n.Catalogued("test a", {1: i18n.N_("open")})
    assert a[1] == "open"  # not in the catalogue: the English id
    assert a.en(1) == "open" and list(a) == [1] and len(a) == 1


def test_the_language_is_per_context():
    with i18n.language("en"):
        assert i18n.current() == "en"
        with i18n.language("fa"):
            assert i18n.current() == "fa"
        assert i18n.current() == "en"
    with pytest.raises(ValueError):
        i18n.set_language("de")


def test_every_entry_is_unique_and_the_header_names_the_language():
    text = PO.read_text()
    keys = re.findall(r'^((?:msgctxt ".*"\n)?msgid ".*")$', text, re.M)
    assert len(keys) == len(set(keys))
    assert '"Language: fa\\n"' in text
