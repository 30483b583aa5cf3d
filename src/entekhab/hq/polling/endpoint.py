"""Raw request bytes → (HTTP status, JSON body) for signed device messages.

Shared by the ninja route (``/api/v1/polling/messages``) and the lean WSGI path in
:mod:`entekhab.hq.polling.wsgi`, so both answer exactly alike.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import OperationalError

from entekhab.domain.errors import DomainError
from entekhab.hq.polling import actions
from entekhab.hq.polling.errors import PollingRefused, Replay

BUSY = {"code": "busy", "message": "HQ is busy, retry shortly", "message_fa": "ستاد مشغول است؛ کمی بعد دوباره بفرستید"}


def refusal_body(exc: DomainError) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = exc.as_dict()
    if isinstance(exc, Replay):
        body["original"] = exc.original
    return getattr(exc, "status", 400), body


def handle_raw(raw: bytes) -> tuple[int, dict[str, Any]]:
    payload: object = None
    try:
        try:
            payload = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise PollingRefused("the body is not JSON", "بدنه درخواست JSON نیست", code="bad_message") from exc
        return 200, actions.handle_message(payload)
    except PollingRefused as exc:
        actions.record_refusal(payload, exc)
        return refusal_body(exc)
    except DomainError as exc:
        return refusal_body(exc)
    except OperationalError:
        return 503, BUSY
