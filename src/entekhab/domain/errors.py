"""Domain exceptions: expected failures are typed, never ``None``.

A refusal carries a stable ``code``, an English message id and its parameters; the Persian
comes from the catalogue (``entekhab.i18n``), so an edge (a page, the API, the CLI) renders
it in its own language with ``render``. Older call sites still pass both texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from entekhab.i18n import current
from entekhab.i18n import render as render_message


class DomainError(ValueError):
    """A value or request that the domain refuses, with a code and bilingual message."""

    code: str = "invalid"

    def __init__(self, message_en: str, message_fa: str | None = None, *, code: str | None = None,
                 params: Mapping[str, Any] | None = None):
        self.msgid = message_en
        self.params = dict(params or {})
        english = render_message(message_en, self.params, "en") if self.params else message_en
        super().__init__(english)
        self.message_en = english
        self.message_fa = message_fa or render_message(message_en, self.params, "fa")
        if code is not None:
            self.code = code

    def render(self, lang: str | None = None) -> str:
        """The message in ``lang`` (the current language by default)."""
        lang = lang or current()
        if lang == "en":
            return self.message_en
        return self.message_fa

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message_en, "message_fa": self.message_fa}
