"""Raw request bytes → (HTTP status, JSON body) for signed device messages.

Shared by the ninja route (``/api/v1/polling/messages``) and the lean WSGI path in
:mod:`entekhab.hq.polling.wsgi`, so both answer exactly alike. The body goes through
the strict edge reader (:mod:`entekhab.hq.web.edge`) before anything else: a float, a
huge integer, deep nesting or a NUL is refused here, anonymously and without touching
the database. A database connection lost before or during the message is opened again and
the message handled once more (a message is idempotent by its sequence number, so a commit
that did happen is answered as the replay it is); lost twice, it answers 503, the honest
"retry later".
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.db import InterfaceError, OperationalError, connection

from entekhab.domain.errors import DomainError
from entekhab.hq.polling import actions
from entekhab.hq.polling.errors import PollingRefused, Replay
from entekhab.hq.web.edge import EdgeRefused, read_json
from entekhab.i18n import gettext_in

log = logging.getLogger(__name__)

BUSY = {
    "code": "busy",
    "message": "HQ is busy, retry shortly",
    "message_fa": gettext_in("fa", "HQ is busy, retry shortly"),
}
SERVER_ERROR = {"code": "server_error", "message": "HQ could not handle this message; nothing of it was stored",
                "message_fa": gettext_in("fa", "HQ could not handle this message; nothing of it was stored")}
DATABASE_LOST = (OperationalError, InterfaceError)


def refusal_body(exc: DomainError) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = exc.as_dict()
    if isinstance(exc, Replay):
        body["original"] = exc.original
    return getattr(exc, "status", 400), body


def handle_raw(raw: bytes) -> tuple[int, dict[str, Any]]:
    """Every outcome is a status and a JSON body; an unexpected error is logged and answered 500 in JSON."""
    try:
        payload = read_json(raw)
    except EdgeRefused as exc:
        return refusal_body(exc)
    for attempt in range(2):
        try:
            return _handle(payload)
        except DATABASE_LOST:
            if attempt:
                log.warning("database unavailable for a device message", exc_info=True)
                return 503, BUSY
            _reconnect()
        except Exception:
            log.exception("device message failed")
            return 500, SERVER_ERROR
    raise AssertionError("unreachable")


def _handle(payload: Any) -> tuple[int, dict[str, Any]]:
    try:
        return 200, actions.handle_message(payload)
    except PollingRefused as exc:
        actions.record_refusal(payload, exc)
        return refusal_body(exc)
    except DomainError as exc:
        return refusal_body(exc)


def _reconnect() -> None:
    """Drop the broken connection; the next query opens a fresh one (a dropped server session, a failover).

    Inside a caller's transaction (a test's) the connection is not ours to close: the message is only retried.
    """
    if connection.in_atomic_block:
        return
    with contextlib.suppress(*DATABASE_LOST):
        connection.close()
