"""Refusals of a record: a stable code, both languages, and the path of the offending field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from entekhab.domain.errors import DomainError


class RecordError(DomainError):
    """A document that is not a valid record; ``path`` names the field (``$.contests[2].seats``)."""

    code = "record_invalid"

    def __init__(self, message_en: str, message_fa: str | None = None, *, code: str | None = None,
                 path: str = "$", problems: Sequence[tuple[str, str]] = (),
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message_en, message_fa, code=code, params=params)
        self.path = path
        self.problems = tuple(problems) or ((path, self.message_en),)

    def as_dict(self) -> dict[str, str]:
        body = super().as_dict()
        body["path"] = self.path
        return body


class CanonicalError(RecordError):
    code = "not_canonical"


class SignatureInvalid(RecordError):
    code = "bad_signature"


class ManifestInvalid(RecordError):
    code = "manifest_invalid"


class CardInvalid(RecordError):
    code = "card_refused"


class ReportInvalid(RecordError):
    code = "report_invalid"


class FingerprintMismatch(RecordError):
    code = "election_mismatch"


class Problems:
    """Collects every problem of a document before refusing it, so the error lists them all."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def raise_if_any(self, error: type[RecordError], what_en: str, what_fa: str) -> None:
        if not self.items:
            return
        first_path, first = self.items[0]
        listed = "; ".join(f"{p}: {m}" for p, m in self.items[:20])
        more = f" (+{len(self.items) - 20} more)" if len(self.items) > 20 else ""
        raise error(f"{what_en}: {listed}{more}", f"{what_fa}: {first_path}: {first}", path=first_path,
                    problems=self.items)
