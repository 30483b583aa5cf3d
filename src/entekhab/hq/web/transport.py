"""Transport rules at HQ's door: device traffic only over TLS in production, and a CSP on pages.

Pages over plain HTTP are redirected to HTTPS (``SECURE_SSL_REDIRECT``), but a device
message must never be: a redirected POST has already crossed the network in clear, and
a client that follows it may replay it as a GET. So in production (``DEVICE_HTTPS_ONLY``)
every path a device uses — the signed messages (on the ninja route and on the lean WSGI
path of :mod:`entekhab.hq.polling.wsgi`), enrolment with its one-time code, and the
heartbeat with its token — answers a plain-HTTP request with a JSON 403 and processes
nothing. "HTTPS" is the WSGI scheme, or ``X-Forwarded-Proto: https`` when
``SECURE_PROXY_SSL_HEADER`` trusts a proxy, exactly as Django's ``request.is_secure()``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse

from entekhab.i18n import gettext_in

DEVICE_PATHS = frozenset({"/api/v1/polling/messages", "/api/v1/polling/enrol", "/api/v1/devices/heartbeat"})

PLAIN_HTTP_REFUSAL: dict[str, str] = {
    "code": "https_required",
    "message": "HQ takes device traffic only over HTTPS; nothing of this request was processed",
    "message_fa": gettext_in("fa", "HQ takes device traffic only over HTTPS; nothing of this request was processed"),
}
PLAIN_HTTP_STATUS = 403


def environ_is_secure(environ: dict[str, Any]) -> bool:
    """``request.is_secure()`` for a bare WSGI environ (the lean device path has no request object)."""
    header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if header:
        name, value = header
        forwarded = environ.get(name)
        if forwarded is not None:
            return forwarded.split(",", 1)[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


def refuse_plain_http(secure: bool) -> bool:
    """True when this device request must be refused: production, and not over TLS."""
    return bool(getattr(settings, "DEVICE_HTTPS_ONLY", False)) and not secure


class DeviceTransportMiddleware:
    """Refuse device traffic over plain HTTP with JSON (placed before ``SecurityMiddleware``'s redirect)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info in DEVICE_PATHS and refuse_plain_http(request.is_secure()):
            return JsonResponse(PLAIN_HTTP_REFUSAL, status=PLAIN_HTTP_STATUS, json_dumps_params={"ensure_ascii": False})
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` from ``settings.CONTENT_SECURITY_POLICY`` on every HTML answer.

    Django 5.2 has no built-in CSP (it arrives in 6.0); the policy is one header, so a
    dependency is not worth it. A view that sets its own header keeps it.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and response.get("Content-Type", "").startswith("text/html") \
                and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
