"""WSGI entry for HQ with a lean path for signed device messages.

``POST /api/v1/polling/messages`` is authenticated by the message's signature, not by
a session, cookie or CSRF token, so it needs none of the middleware; on the check-in
peak that middleware and the router were more than half of each request's CPU. This
entry sends that one path straight to :func:`endpoint.handle_raw` (same code, same
answers as the ninja route) and everything else to Django. Serve it with
``gunicorn entekhab.hq.polling.wsgi:application``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entekhab.hq.settings")

from django.core import signals
from django.core.wsgi import get_wsgi_application

django_application = get_wsgi_application()

from entekhab.hq.polling.endpoint import handle_raw  # noqa: E402

PATH = "/api/v1/polling/messages"
MAX_BODY = 20 * 1024 * 1024  # a branch report with its vote records fits many times over


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
        return django_application(environ, start_response)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 <= length <= MAX_BODY:
        status, body = 413, {"code": "too_large", "message": "request body too large or unknown length",
                             "message_fa": "حجم درخواست بیش از حد است"}
    else:
        raw = environ["wsgi.input"].read(length)
        signals.request_started.send(sender=None, environ=environ)  # database connection ageing, as Django does
        try:
            status, body = handle_raw(raw)
        finally:
            signals.request_finished.send(sender=None)
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
