"""Helpers shared by the operations actions."""

from __future__ import annotations

from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.hq.elections.actions import require_perm


class OperationRefused(DomainError):
    code = "operation_refused"


def need(user: Any, codename: str) -> None:
    """The acting user holds ``operations.<codename>`` (or any full ``app.codename`` given)."""
    require_perm(user, codename if "." in codename else f"operations.{codename}")


def text(value: str, field_en: str, field_fa: str, *, max_length: int, required: bool = True) -> str:
    """A trimmed text value within bounds, or a clear refusal naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise OperationRefused(f"{field_en} is required", f"«{field_fa}» را وارد کنید", code="required")
    if len(value) > max_length:
        raise OperationRefused(f"{field_en} is longer than {max_length} characters",
                               f"«{field_fa}» بیش از {max_length} نویسه است", code="too_long")
    return value
