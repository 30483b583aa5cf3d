"""Helpers shared by the operations actions."""

from __future__ import annotations

from typing import Any

from entekhab.domain.errors import DomainError
from entekhab.domain.lifecycle import NOT_PUBLISHED, PREPARATION
from entekhab.hq.accounts.guard import authorize

# Operations run from the first preparations until the final publication; the public draws
# of devices and staff happen before polling day.
OPERATIONS_STATES = NOT_PUBLISHED
DRAW_STATES = PREPARATION


class OperationRefused(DomainError):
    code = "operation_refused"


def need(user: Any, codename: str, obj: Any = None, *, states=OPERATIONS_STATES) -> None:
    """The acting user holds ``operations.<codename>`` on ``obj`` (None: HQ-wide), in ``states``."""
    authorize(user, codename if "." in codename else f"operations.{codename}", obj, states=states)


def text(value: str, field_en: str, field_fa: str, *, max_length: int, required: bool = True) -> str:
    """A trimmed text value within bounds, or a clear refusal naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise OperationRefused(
            "%(field_en)s is required", params={"field_en": field_en, "field_fa": field_fa}, code="required"
        )
    if len(value) > max_length:
        raise OperationRefused(
            "%(field_en)s is longer than %(max_length)s characters",
            params={"field_en": field_en, "max_length": max_length, "field_fa": field_fa},
            code="too_long",
        )
    return value
