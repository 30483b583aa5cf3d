"""WSGI entry for HQ with a lean path for signed device messages.

``POST /api/v1/polling/messages`` is authenticated by the message's signature, not by
a session, cookie or CSRF token, so it needs none of the middleware; on the check-in
peak that middleware and the router were more than half of each request's CPU. This
entry sends that one path straight to :func:`endpoint.handle_raw` (same code, same
answers as the ninja route) and everything else to Django. ``entekhab serve`` serves it.

:func:`device_application` is the same entry for a pool of its own (``entekhab serve
--device-workers N``): it answers only what a branch device asks for (signed messages,
enrolment, candidates' photos by digest) and 404 for the rest, so the staff pages and the
admin are not reachable on the port the devices use, and the check-in peak cannot take the
workers the staff pages need.

A body over :data:`edge.MAX_BODY_BYTES` (or of unknown length) is refused with 413 from
its ``Content-Length`` alone, before a byte of it is read. In production a message over
plain HTTP is refused with JSON 403 before its body is read (:mod:`entekhab.hq.web.transport`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entekhab.hq.settings")

from django.core import signals
from django.core.wsgi import get_wsgi_application

django_application = get_wsgi_application()

from entekhab.hq.polling.endpoint import SERVER_ERROR, handle_raw, refusal_body  # noqa: E402
from entekhab.hq.web.edge import MAX_BODY_BYTES, EdgeRefused, check_length  # noqa: E402
from entekhab.hq.web.errors import error_body  # noqa: E402
from entekhab.hq.web.transport import (  # noqa: E402
    PLAIN_HTTP_REFUSAL,
    PLAIN_HTTP_STATUS,
    environ_is_secure,
    refuse_plain_http,
)

log = logging.getLogger(__name__)
PATH = "/api/v1/polling/messages"
DEVICE_PREFIXES = ("/api/v1/polling/enrol", "/candidates/photos/")  # the rest of what device/ asks for
MAX_BODY = MAX_BODY_BYTES  # the largest honest message (a 3,000-voter branch report) is about 2 MB


def _answer(environ: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    if refuse_plain_http(environ_is_secure(environ)):
        return PLAIN_HTTP_STATUS, dict(PLAIN_HTTP_REFUSAL)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    try:
        check_length(length if length >= 0 else MAX_BODY + 1, MAX_BODY)  # unknown length: refused as oversized
    except EdgeRefused as exc:
        return refusal_body(exc)
    raw = environ["wsgi.input"].read(length)
    signals.request_started.send(sender=None, environ=environ)  # database connection ageing, as Django does
    try:
        return handle_raw(raw)
    finally:
        signals.request_finished.send(sender=None)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
        return django_application(environ, start_response)
    try:
        status, body = _answer(environ)
    except Exception:  # a broken input stream or signal handler: still JSON, never an HTML page
        log.exception("lean device path failed")
        status, body = 500, SERVER_ERROR
    return _json(start_response, status, body)


def device_application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO") or ""
    if path == PATH or path.startswith(DEVICE_PREFIXES):
        return application(environ, start_response)
    return _json(start_response, 404, error_body(404))


def _json(start_response: Callable[..., Any], status: int, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    if status == 503:
        headers.append(("Retry-After", "5"))
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [data]
