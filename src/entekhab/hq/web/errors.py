"""Error answers: JSON with ``code``/``message``/``message_fa`` under ``/api/``, a Persian page elsewhere.

Django's ``handler400/403/404/500`` point here (see :mod:`entekhab.hq.urls`), so an
unknown API path or an uncaught exception never answers with Django's English HTML.
A lost database connection is a 503 ("retry shortly"), not a 500: nothing is wrong
with the request, and a device or person should try again.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from entekhab.i18n import en_fa

API_PREFIX = "/api/"
DATABASE_LOST = (OperationalError, InterfaceError)

# status → (code, English, Persian)
MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", *en_fa("the request is malformed")),
    403: ("forbidden", *en_fa("you are not allowed to do this")),
    404: ("not_found", *en_fa("not found")),
    405: ("method_not_allowed", *en_fa("this method is not allowed here")),
    413: ("too_large", *en_fa("the request body is too large")),
    500: ("server_error", *en_fa("HQ could not handle this request")),
    503: ("busy", *en_fa("HQ is busy, retry shortly")),
}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_body(status: int) -> dict[str, str]:
    code, en, fa = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    return {"code": code, "message": en, "message_fa": fa}


def json_error(status: int, body: dict[str, Any] | None = None) -> JsonResponse:
    response = JsonResponse(body or error_body(status), status=status, json_dumps_params={"ensure_ascii": False})
    if status == 503:
        response["Retry-After"] = "5"
    return response


def page_error(request: HttpRequest | None, status: int, message_fa: str = "", message_en: str = "") -> HttpResponse:
    """A Persian-first page; rendered without the request context so it works when the database does not."""
    _, en, fa = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    template = loader.select_template([f"{status}.html", "web/error.html"])
    html = template.render({"status": status, "message_fa": message_fa or fa, "message_en": message_en or en})
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    if status == 503:
        response["Retry-After"] = "5"
    return response


def answer(request: HttpRequest, status: int) -> HttpResponse:
    return json_error(status) if is_api(request) else page_error(request, status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return answer(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Called by Django inside its ``except`` block, so ``sys.exc_info()`` names what went wrong."""
    return answer(request, 503 if isinstance(sys.exc_info()[1], DATABASE_LOST) else 500)
