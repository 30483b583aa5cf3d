"""The JSON API at /api/v1/: typed, documented by OpenAPI, errors in one shape.

Every error body is ``{"code", "message", "message_fa"}`` (plus ``errors`` for
field validation), so a client can show the Persian message to a person and
branch on the code. A lost database connection answers 503; anything uncaught goes
to Django's ``handler500``, which answers JSON under ``/api/`` (:mod:`entekhab.hq.web.errors`).
"""

from __future__ import annotations

import importlib
import logging

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from entekhab import __version__
from entekhab.domain.errors import DomainError
from entekhab.hq.web.edge import EdgeRefused
from entekhab.i18n import N_, Catalogued, en_fa, gettext_in

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Entekhab HQ API",
    version=__version__,
    urls_namespace="api-v1",
    description="Elections, contests, branches and ballot styles of the Entekhab headquarters.",
)


def _error(request: HttpRequest, status: int, code: str, en: str, fa: str, errors=None):
    body = {"code": code, "message": en, "message_fa": fa}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, getattr(exc, "http_status", 400), exc.code, exc.message_en, exc.message_fa)


@api.exception_handler(EdgeRefused)
def on_edge_refused(request, exc: EdgeRefused):
    return _error(request, exc.status, exc.code, exc.message_en, exc.message_fa)


def on_database_lost(request, exc: Exception):
    """The database went away mid-request: 503, so the client retries (nothing half-done is kept)."""
    log.warning("database unavailable for %s", request.path, exc_info=exc)
    response = _error(request, 503, "busy", *en_fa("HQ is busy, retry shortly"))
    response["Retry-After"] = "5"
    return response


api.add_exception_handler(OperationalError, on_database_lost)
api.add_exception_handler(InterfaceError, on_database_lost)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    fields = ", ".join(".".join(e["loc"]) for e in errors)
    return _error(request, 422, "validation_error", *en_fa("invalid request: %(fields)s", fields=fields), errors)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", str(exc) or "not found", gettext_in("fa", "not found"))


@api.exception_handler(PermissionDenied)
def on_denied(request, exc):
    return _error(request, 403, getattr(exc, "code", "forbidden"),
                  getattr(exc, "message_en", "you are not allowed to do this"),
                  getattr(exc, "message_fa", gettext_in("fa", "you are not allowed to do this")))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", *en_fa("log in first"))


# django-ninja raises these HttpErrors itself, with English text: give each a code and Persian.
NINJA_ERRORS: dict[tuple[int, str], tuple[str, str]] = {
    (400, "Cannot parse request body"): ("malformed_json", gettext_in("fa", "the request body is not valid JSON")),
    (403, "CSRF check Failed"): (
        "csrf_failed",
        gettext_in("fa", "the CSRF check failed: reload the page and send again"),
    ),
}
HTTP_FA = Catalogued("http", {
    400: N_("400"),
    401: N_("401"),
    403: N_("403"),
    404: N_("404"),
    405: N_("405"),
    409: N_("409"),
    413: N_("413"),
    429: N_("429"),
})


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    en = str(exc)
    known = next((v for (status, prefix), v in NINJA_ERRORS.items()
                  if status == exc.status_code and en.startswith(prefix)), None)
    if known:
        return _error(request, exc.status_code, known[0], en, known[1])
    return _error(
        request,
        exc.status_code,
        "http_error",
        en,
        HTTP_FA.get(exc.status_code, gettext_in("fa", "the request was not accepted")),
    )


# Each module registers its routes on ``api`` when imported; add yours to this tuple.
ROUTE_MODULES = ("routes", "candidates", "polling", "operations", "capacity", "results")
for _module in ROUTE_MODULES:
    importlib.import_module(f"entekhab.hq.api.{_module}")
