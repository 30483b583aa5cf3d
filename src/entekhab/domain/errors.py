"""Domain exceptions: expected failures are typed, never ``None``."""

from __future__ import annotations


class DomainError(ValueError):
    """A value or request that the domain refuses, with a code and bilingual message."""

    code: str = "invalid"

    def __init__(self, message_en: str, message_fa: str | None = None, *, code: str | None = None):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_fa = message_fa or message_en
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message_en, "message_fa": self.message_fa}
