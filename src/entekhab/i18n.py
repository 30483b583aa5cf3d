"""Translations for the pure packages and the command line: stdlib gettext over one catalogue.

Code holds English message ids with ``%(name)s`` parameters; the Persian lives in
``entekhab/locale/fa/LC_MESSAGES/entekhab.po`` (compiled by ``make messages``). The pure
cores cannot use Django's translation machinery, and the CLI must work before Django is
set up, so they share this one. The HQ's own pages keep Django's ``django.po``.

Persian is the default language (``ENTEKHAB_LANG`` or ``entekhab --lang en`` changes it);
the current language is a context variable, so a web request or a thread can override it
without touching another.
"""

from __future__ import annotations

import contextvars
import functools
import gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOMAIN = "entekhab"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fa", "en")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("entekhab_language", default="")


def _default() -> str:
    lang = os.environ.get("ENTEKHAB_LANG", "fa").strip().lower()[:2]
    return lang if lang in LANGUAGES else "fa"


def current() -> str:
    """The language messages are rendered in now (``fa`` unless told otherwise)."""
    return _current.get() or _default()


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    _current.set(lang)


@contextmanager
def language(lang: str) -> Iterator[None]:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def gettext_in(lang: str, msgid: str) -> str:
    return _catalogue(lang).gettext(msgid)


def pgettext_in(lang: str, context: str, msgid: str) -> str:
    return _catalogue(lang).pgettext(context, msgid)


def _(msgid: str, **params: Any) -> str:
    """``msgid`` in the current language, with ``params`` filled in."""
    return render(msgid, params, current())


def N_(msgid: str) -> str:
    """Marks a message id for the catalogue where it is translated later (tables, enums)."""
    return msgid


def render(msgid: str, params: Mapping[str, Any] | None, lang: str) -> str:
    text = gettext_in(lang, msgid)
    if not params:
        return text
    # A message nested as a parameter speaks the outer one's language, not the current one.
    values = {k: (render(v.msgid, v.params, lang) if isinstance(v, Message) else v) for k, v in params.items()}
    try:
        return text % values
    except (KeyError, ValueError, TypeError):
        # A translation whose parameters drifted from the code: say it in English, never crash.
        return msgid % values


def both(msgid: str, **params: Any) -> tuple[str, str]:
    """The message in Persian and in English, for documents that print both."""
    return render(msgid, params, "fa"), render(msgid, params, "en")


def en_fa(msgid: str, **params: Any) -> tuple[str, str]:
    """English and Persian, for the call sites that take both (``Step(kind, data, *en_fa(...))``)."""
    return render(msgid, params, "en"), render(msgid, params, "fa")


@dataclass(frozen=True)
class Message:
    """A message not yet rendered: an id and its parameters, turned into text at the edge."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fa(self) -> str:
        return render(self.msgid, self.params, "fa")

    @property
    def en(self) -> str:
        return render(self.msgid, self.params, "en")

    def __str__(self) -> str:
        return render(self.msgid, self.params, current())


class Catalogued(Mapping[Any, str]):
    """A table of labels whose values are message ids, read in Persian.

    ``STATE_FA = Catalogued("state", {State.OPEN: N_("open")})`` keeps the Persian in the
    catalogue (under the message context ``state``, so one English word may stand for two
    Persian ones in two tables) while every reader of ``STATE_FA[x]`` still gets Persian.
    """

    def __init__(self, context: str, table: Mapping[Any, str], lang: str = "fa") -> None:
        self.context = context
        self._table = dict(table)
        self._lang = lang

    def __getitem__(self, key: Any) -> str:
        return pgettext_in(self._lang, self.context, self._table[key])

    def __iter__(self) -> Iterator[Any]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def en(self, key: Any) -> str:
        return self._table[key]

    def get_in(self, key: Any, lang: str) -> str:
        return pgettext_in(lang, self.context, self._table[key])
