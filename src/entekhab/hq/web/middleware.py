"""Persian first, and hostile bytes refused at the door.

Persian first: the language is the visitor's explicit choice (a cookie), else Persian.

Django's LocaleMiddleware would follow the browser's Accept-Language, which on most
machines says English; a Persian election office must not depend on that.
"""

from __future__ import annotations

from django.conf import settings
from django.http import QueryDict
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from entekhab.hq.web.edge import MAX_BODY_BYTES, EdgeRefused, bad_text, check_length, has_bad_text, read_json
from entekhab.hq.web.errors import is_api, json_error, page_error


class PersianFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request) -> None:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class EdgeMiddleware:
    """Refuse hostile bytes before any other middleware, view or query sees them (first in ``MIDDLEWARE``).

    NUL and lone surrogates in the path, query, cookies, form fields or a JSON body are
    refused with 400 on every database alike (PostgreSQL cannot store them, and SQLite
    would keep what PostgreSQL refuses). API JSON bodies go through the strict reader
    (no NaN/Infinity, bounded integers and depth); API bodies over the size limit are
    refused by ``Content-Length`` before they are read. Under ``/api/`` every refusal,
    and any error answer a view or Django made in HTML, becomes the JSON error shape.
    """

    # These read their body with the strict reader themselves; parsing it here too would double the cost.
    SELF_CHECKED = frozenset({"/api/v1/polling/messages", "/api/v1/polling/enrol"})

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        try:
            self.check(request)
        except EdgeRefused as exc:
            if is_api(request):
                return json_error(exc.status, exc.as_dict())
            return page_error(request, exc.status, exc.message_fa, exc.message_en)
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_json(response):
            allow = response.get("Allow")
            response = json_error(response.status_code)
            if allow:
                response["Allow"] = allow
        return response

    def check(self, request) -> None:
        if has_bad_text(request.path_info) or has_bad_text(request.path):
            raise bad_text("path")
        query = request.META.get("QUERY_STRING", "")
        if has_bad_text(query) or _bad_multivalue(request.GET):
            raise bad_text("query")
        if any(has_bad_text(k) or has_bad_text(v) for k, v in request.COOKIES.items()):
            raise bad_text("cookie")
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        api = is_api(request)
        if api:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = MAX_BODY_BYTES + 1
            check_length(length)
        content_type = request.content_type or ""
        if content_type == "application/json" or content_type.endswith("+json"):
            if request.path_info not in self.SELF_CHECKED and request.body:
                read_json(request.body, allow_floats=True)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            self._check_form(request, content_type)

    @staticmethod
    def _check_form(request, content_type: str) -> None:
        try:
            if request.method == "POST":
                fields, files = request.POST, request.FILES
            elif content_type == "application/x-www-form-urlencoded":
                fields, files = QueryDict(request.body, encoding=request.encoding), None
            else:
                return  # multipart PUT/PATCH: parsed (and checked by the form) in the view
        except (MultiPartParserError, UnicodeDecodeError) as exc:
            raise EdgeRefused("the form is malformed", code="bad_form") from exc
        if _bad_multivalue(fields) or (files and any(has_bad_text(f.name or "") for f in files.values())):
            raise bad_text("form")


def _bad_multivalue(values) -> bool:
    return any(has_bad_text(k) or any(has_bad_text(v) for v in vs) for k, vs in values.lists())


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
