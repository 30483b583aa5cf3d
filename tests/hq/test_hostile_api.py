"""Hostile input on the API routes and pages: NUL, deep JSON, huge numbers, oversize, lost database, unknown paths.

Every API answer is JSON with ``code``/``message``/``message_fa``; pages refuse with a
Persian page. Run on SQLite and PostgreSQL (PostgreSQL is where NUL used to be a 500).
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entekhab.hq.web.edge import MAX_BODY_BYTES

FUZZ = settings(max_examples=2000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])

# Every public (anonymous) GET route with a path parameter; {x} is where the hostile text goes.
PUBLIC_GETS = [
    "/api/v1/elections/{x}",
    "/api/v1/elections/{x}/contests",
    "/api/v1/elections/{x}/branches",
    "/api/v1/elections/{x}/ballot-styles",
    "/api/v1/elections/{x}/manifests/S1",
    "/api/v1/elections/1405/manifests/{x}",
    "/api/v1/elections/{x}/candidates",
    "/api/v1/elections/{x}/lists",
    "/api/v1/operations/{x}/draws",
    "/api/v1/polling/elections/{x}/branches/B1/report",
    "/api/v1/polling/elections/1405/branches/{x}/report",
    "/api/v1/results/{x}",
    "/api/v1/results/1405/contests/{x}",
    "/api/v1/results/{x}/turnout",
]
PUBLIC_QUERIES = [
    "/api/v1/areas?parent={x}",
    "/api/v1/areas?kind={x}",
    "/api/v1/elections/1405/branches?area={x}",
    "/api/v1/elections?{x}=1",
]
PAGES = ["/results/{x}/", "/results/1405/branch/{x}/", "/candidates/1405/c/{x}/", "/candidates/photos/{x}",
         "/operations/{x}/", "/static/{x}", "/polling/reports/1405/{x}.pdf"]
HOSTILE_TEXT = ["a\x00b", "\x00", "1405\x00"]


def stored() -> dict[str, int]:
    labels = ("polling", "audit", "operations", "elections")
    models = [m for label in labels for m in apps.get_app_config(label).get_models()]
    return {m._meta.label: m.objects.count() for m in models}


def assert_json_error(response, status: int | None = None, code: str | None = None) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:300])
    body = response.json()
    if status is None:
        assert 400 <= response.status_code < 500, (response.status_code, body)
    else:
        assert response.status_code == status, (response.status_code, body)
    assert {"code", "message", "message_fa"} <= set(body), body
    assert body["message_fa"] and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_persian_page(response, status: int) -> None:
    assert response.status_code == status, response.status_code
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'lang="fa"' in html and 'dir="rtl"' in html


@pytest.fixture
def anon(db) -> Client:
    return Client(raise_request_exception=False)


# -- NUL and friends -------------------------------------------------------------------------


@pytest.mark.parametrize("template", PUBLIC_GETS + PUBLIC_QUERIES)
def test_nul_in_path_or_query_is_a_json_400_on_every_public_route(anon, template):
    """Old code on PostgreSQL: 500 HTML (a NUL cannot be bound to a text parameter)."""
    for text in HOSTILE_TEXT:
        assert_json_error(anon.get(template.replace("{x}", quote(text, safe=""))), 400, "bad_text")


@pytest.mark.parametrize("template", PAGES)
def test_nul_in_a_page_path_is_a_persian_400(anon, template):
    for text in HOSTILE_TEXT:
        assert_persian_page(anon.get(template.replace("{x}", quote(text, safe=""))), 400)


def test_nul_in_a_cookie_or_form_field_is_refused(anon):
    anon.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert_persian_page(anon.get("/admin/"), 400)
    assert_json_error(anon.get("/api/v1/elections"), 400, "bad_text")
    form = Client(raise_request_exception=False, enforce_csrf_checks=False)
    assert_persian_page(form.post("/admin/login/", {"username": "a\x00b", "password": "x"}), 400)


@pytest.mark.parametrize("path", ["/api/v1/national-codes/check", "/api/v1/devices/heartbeat"])
def test_hostile_json_on_public_post_routes(anon, path):
    """Old code: NUL → 500 on PostgreSQL; 1,000-deep JSON → RecursionError 500; NaN accepted into the payload."""
    before = stored()
    cases = {
        "bad_text": ['{"code": "\\u0000", "serial": "AB\\u0000CD", "token": "' + "t" * 20 + '"}',
                     '{"code": "\\ud800"}'],
        "too_deep": ['{"code": ' + "[" * 1000 + "]" * 1000 + "}", "[" * 50_000],
        "float_refused": ['{"code": NaN}',
                          '{"serial": "ABCD", "token": "' + "t" * 20 + '", "report": {"b": Infinity}}'],
        "int_out_of_range": ['{"code": 9223372036854775808}', '{"report": {"q": 1' + "0" * 30 + "}}"],
        "bad_encoding": [b"\xff\xfe"],
    }
    for code, bodies in cases.items():
        for body in bodies:
            raw = body.encode() if isinstance(body, str) else body
            assert_json_error(anon.post(path, raw, content_type="application/json"), 400, code)
    assert stored() == before


def test_oversized_api_body_is_413_json(anon):
    big = b'{"code": "' + b"1" * (MAX_BODY_BYTES + 1) + b'"}'
    assert_json_error(anon.post("/api/v1/national-codes/check", big, content_type="application/json"),
                      413, "too_large")


def test_honest_floats_still_pass_on_staff_routes(anon):
    """Only NaN/Infinity are refused outside device messages; a finite fraction reaches the view (and its schema)."""
    response = anon.post("/api/v1/national-codes/check", b'{"code": 1.5}', content_type="application/json")
    body = assert_json_error(response)
    assert body["code"] != "float_refused"


# -- unknown paths, methods and uncaught errors -----------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v2/elections", "/api/", "/api/v1/elections/1405/x/y"])
def test_unknown_api_path_is_json_404(anon, path):
    """Old code: Django's HTML 404."""
    assert_json_error(anon.get(path), 404, "not_found")
    assert_json_error(anon.post(path, b"{}", content_type="application/json"), 404, "not_found")


def test_wrong_method_is_json_405(anon):
    response = anon.delete("/api/v1/elections")
    assert_json_error(response, 405, "method_not_allowed")


def test_unknown_page_is_a_persian_404(anon):
    assert_persian_page(anon.get("/no-such-page/"), 404)


def test_uncaught_exception_under_api_is_json_500(anon):
    with mock.patch("entekhab.hq.api.routes._election", side_effect=RuntimeError("boom")):
        response = anon.get("/api/v1/elections/1405")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error" and body["message_fa"]


def test_uncaught_exception_on_a_page_is_a_persian_500(anon):
    with mock.patch("entekhab.hq.web.views.render", side_effect=RuntimeError("boom")):
        response = anon.get("/")
    assert_persian_page(response, 500)


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.parametrize("path", ["/api/v1/elections", "/api/v1/areas", "/api/v1/results/1405",
                                  "/api/v1/operations/1405/draws"])
def test_lost_database_is_503_json_on_api_routes(anon, error, path):
    with mock.patch.object(CursorWrapper, "execute", side_effect=error("connection lost")):
        response = anon.get(path)
    assert response.status_code == 503, response.content[:200]
    assert response.json()["code"] == "busy" and response["Retry-After"]


def test_lost_database_on_a_page_is_a_persian_503(anon):
    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("connection lost")):
        response = anon.get("/results/")
    assert_persian_page(response, 503)


# -- fuzz ------------------------------------------------------------------------------------

_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=16)
_nul = st.tuples(st.text(min_size=4, max_size=8), st.text(max_size=12)).map(lambda t: t[0] + "\x00" + t[1])
_leaf = st.one_of(st.none(), st.booleans(), _text, _nul, st.integers(min_value=-(2**80), max_value=2**80),
                  st.floats(allow_nan=True, allow_infinity=True))
_json = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(_text, inner, max_size=4)), max_leaves=10)
_bodies = st.one_of(
    st.binary(max_size=120),
    _json.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    st.fixed_dictionaries({"code": _leaf}).map(lambda v: json.dumps(v, allow_nan=True).encode()),
    st.fixed_dictionaries({"serial": _leaf, "token": _leaf, "report": _json}).map(
        lambda v: json.dumps(v, allow_nan=True).encode()),
    st.fixed_dictionaries({"serial": _nul, "token": st.text(min_size=16, max_size=24), "report": _json}).map(
        lambda v: json.dumps(v, allow_nan=True).encode()),
    st.integers(min_value=20, max_value=2_000).map(lambda d: b"[" * d + b"]" * d),
)


def _url_part(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _check(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert_json_error(response)


@pytest.mark.parametrize("path", ["/api/v1/national-codes/check", "/api/v1/devices/heartbeat"])
def test_fuzz_public_post_routes(anon, path):
    before = stored()
    seen: list[int] = []

    @FUZZ
    @given(raw=_bodies)
    def run(raw: bytes) -> None:
        seen.append(1)
        _check(anon.post(path, raw, content_type="application/json"))

    run()
    assert len(seen) >= 2000
    assert stored() == before


@pytest.mark.parametrize("template", ["/api/v1/elections/{x}", "/api/v1/results/{x}/turnout",
                                      "/api/v1/areas?parent={x}", "/api/v1/elections/1405/branches?area={x}"])
def test_fuzz_public_get_routes(anon, template):
    before = stored()
    seen: list[int] = []

    @FUZZ
    @given(text=st.one_of(_text, _nul))
    def run(text: str) -> None:
        seen.append(1)
        _check(anon.get(template.replace("{x}", _url_part(text))))

    run()
    assert len(seen) >= 2000
    assert stored() == before


@pytest.mark.parametrize(("content_type", "code", "fa"), [
    ("application/json", "bad_message", "بدنه درخواست JSON نیست"),  # refused at the edge
    ("text/plain", "malformed_json", "بدنهٔ درخواست JSON معتبر نیست"),  # refused by django-ninja's parser
])
def test_malformed_json_is_named_in_persian(client, election, content_type, code, fa):
    contest = election.contests.order_by("code").first()
    before = stored()
    response = client.post(f"/api/v1/elections/1405/contests/{contest.code}/registrations", data=b'{"a": ',
                           content_type=content_type)
    body = response.json()
    assert response.status_code == 400 and body["code"] == code
    assert body["message_fa"] == fa
    assert stored() == before


def test_a_missing_csrf_token_is_named_in_persian(make_user, election):
    from entekhab.hq.accounts.roles import Role

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.HQ_ADMIN))
    contest = election.contests.order_by("code").first()
    before = stored()
    response = client.post(f"/api/v1/elections/1405/contests/{contest.code}/lists", data={"party": "x"},
                           content_type="application/json")
    body = response.json()
    assert response.status_code == 403 and body["code"] == "csrf_failed"
    assert "CSRF" in body["message_fa"] and "بررسی" in body["message_fa"]
    assert stored() == before
