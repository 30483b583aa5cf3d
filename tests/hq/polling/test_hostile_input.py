"""Hostile bytes at the device endpoint, on the ninja route and the lean WSGI path: a 4xx in JSON, nothing stored.

Each kind named in THREATS.md ("Robustness · Bytes and Faults") has an explicit case,
and Hypothesis then throws thousands of generated bodies at the raw handler, the lean
WSGI app, the ninja route and enrolment, checking status < 500, the error shape and
that no polling or audit row changed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core import signals
from django.db import InterfaceError, OperationalError, close_old_connections
from django.db.backends.utils import CursorWrapper
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entekhab.hq.polling.endpoint import handle_raw
from entekhab.hq.web.edge import MAX_BODY_BYTES, MAX_DEPTH, MAX_SAFE_INT
from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_flow import eligible
from tests.hq.polling.test_refusals import signed_checkin

MESSAGES = "/api/v1/polling/messages"
ENROL = "/api/v1/polling/enrol"
FUZZ = settings(max_examples=2000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])


# -- helpers ---------------------------------------------------------------------------------


def stored() -> dict[str, int]:
    """Rows of every polling and audit table: a refusal must leave each count as it was."""
    models = [*apps.get_app_config("polling").get_models(), *apps.get_app_config("audit").get_models()]
    return {m._meta.label: m.objects.count() for m in models}


def assert_refusal(status: int, body: Any, *, expect: int | None = None, code: str | None = None) -> None:
    assert 400 <= status < 500 if expect is None else status == expect, (status, body)
    assert isinstance(body, dict) and {"code", "message", "message_fa"} <= set(body), body
    assert body["message_fa"] and body["message"]
    if code is not None:
        assert body["code"] == code, body


@contextmanager
def outside_django_request_cycle() -> Iterator[None]:
    """The lean path sends request_started/finished itself; in a test these would close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def lean(body: bytes, *, length: str | None = None, path: str = MESSAGES, app: Any = None,
         method: str = "POST") -> tuple[int, Any, dict[str, str], int]:
    """Call the lean WSGI app with a crafted environ: status, JSON body, headers, bytes it read from the input."""
    from entekhab.hq.polling.wsgi import application

    application = app or application
    stream = io.BytesIO(body)
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)) if length is None else length,
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "wsgi.input": stream, "wsgi.url_scheme": "http",
               "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": False,
               "wsgi.multiprocess": False, "wsgi.run_once": False}
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    with outside_django_request_cycle():
        data = b"".join(application(environ, start_response))
    assert seen["headers"]["Content-Type"].startswith("application/json")
    return seen["status"], json.loads(data), seen["headers"], stream.tell()


def ninja(client: Client, body: bytes, path: str = MESSAGES) -> tuple[int, Any]:
    response = client.post(path, body, content_type="application/json")
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.status_code, response.json()


def both(client: Client, body: bytes) -> list[tuple[int, Any]]:
    return [ninja(client, body), lean(body)[:2]]


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


@pytest.fixture
def device(branches):
    b = branches(0)
    b.devices.open(now=NOW)
    return b


@pytest.fixture
def valid(device) -> dict[str, Any]:
    """A correctly signed check-in (never sent): the base that hostile cases alter."""
    return signed_checkin(device.auth, eligible(None, 1)[0], seq=50_000)


def with_body(valid: dict[str, Any], **extra: Any) -> dict[str, Any]:
    payload = json.loads(json.dumps(valid))
    payload["envelope"]["body"].update(extra)
    return payload


# -- explicit cases --------------------------------------------------------------------------


def test_floats_nan_and_infinity_are_refused_anonymously(device, valid):
    """Old code: 500 (canonical_json raised ValueError after the device lookup)."""
    before = stored()
    for literal in ("1.5", "-0.0", "1e3", "NaN", "Infinity", "-Infinity", "1e999"):
        text = json.dumps(with_body(valid, x="PLACEHOLDER")).replace('"PLACEHOLDER"', literal).encode()
        for status, body in both(device.transport.client, text):
            assert_refusal(status, body, expect=400, code="float_refused")
        envelope_float = json.dumps(valid).replace('"seq": 50000', f'"seq": {literal}').encode()
        assert_refusal(*handle_raw(envelope_float), expect=400, code="float_refused")
    assert stored() == before


def test_deep_nesting_is_refused_at_the_documented_depth(device, valid):
    """Old code: 500 (RecursionError in canonical_json) at ~1,000 levels; 10,000 levels too."""
    before = stored()
    template = json.dumps(with_body(valid, deep="PLACEHOLDER"))
    for depth in (MAX_DEPTH + 1, 1_000, 10_000):
        raw = template.replace('"PLACEHOLDER"', "[" * depth + "1" + "]" * depth).encode()
        for status, body in both(device.transport.client, raw):
            assert_refusal(status, body, expect=400, code="too_deep")
    raw = b"[" * 40_000  # under MAX_CONTAINERS, so the parser itself meets it
    for status, body in both(device.transport.client, raw):
        assert_refusal(status, body, expect=400, code="too_deep")
    assert stored() == before


def test_huge_integers_are_refused_even_when_signed(device):
    """A correctly signed seq ≥ 2^63 overflowed the database column: old code 500."""
    before = stored()
    for seq in (2**63, 2**64 + 7, MAX_SAFE_INT + 1, -(2**63) - 1, 10**400):
        payload = signed_checkin(device.auth, eligible(None, 1)[0], seq=2)
        payload["envelope"]["seq"] = seq
        # Canonical JSON refuses such a number, so sign the sorted compact bytes as a forger would.
        raw = json.dumps(payload["envelope"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        payload["signature"] = device.auth.key.sign(raw).hex()
        for status, body in both(device.transport.client, dumps(payload)):
            assert_refusal(status, body, expect=400, code="int_out_of_range")
    assert stored() == before


def test_largest_safe_integer_passes_the_edge(device):
    payload = signed_checkin(device.auth, eligible(None, 1)[0], seq=MAX_SAFE_INT)
    status, body = handle_raw(dumps(payload))
    assert status == 200 and body["status"] == "accepted"


def test_nul_and_lone_surrogates_are_refused_in_every_string(device, valid):
    """PostgreSQL refuses NUL in text: old code answered 500 there (and 403 on SQLite)."""
    before = stored()
    for field in ("device", "election", "branch", "kind"):
        for bad in ("\x00", "a\x00b", "\ud800", "x\udfffy"):
            payload = json.loads(json.dumps(valid))
            payload["envelope"][field] = bad
            raw = json.dumps(payload).encode()  # ensure_ascii: NUL and surrogates travel as \u escapes
            for status, body in both(device.transport.client, raw):
                assert_refusal(status, body, expect=400, code="bad_text")
            key_payload = with_body(valid, **{bad: 1})
            assert_refusal(*handle_raw(json.dumps(key_payload).encode()), expect=400, code="bad_text")
    assert stored() == before


def test_non_utf8_bodies_are_refused(device):
    before = stored()
    for raw in (b"\xff\xfe{}", b'{"envelope": "\xc3\x28"}', b"\x80", '{"a": "ب"}'.encode("utf-16")):
        for status, body in both(device.transport.client, raw):
            assert_refusal(status, body, expect=400, code="bad_encoding")
    assert stored() == before


def test_duplicate_keys_are_refused(device, valid):
    text = json.dumps(valid)
    raw = ('{"signature": "00", ' + text[1:]).encode()
    for status, body in both(device.transport.client, raw):
        assert_refusal(status, body, expect=400, code="duplicate_key")


def test_empty_and_wrong_shapes(device):
    for raw in (b"", b"   ", b"null", b"[]", b"5", b'"text"', b"{", b'{"envelope": {}}'):
        for status, body in both(device.transport.client, raw):
            assert_refusal(status, body, expect=400, code="bad_message")


def test_oversized_body_is_refused_before_it_is_read(device):
    """413 by Content-Length alone; old lean path read and parsed up to 20 MB, the ninja route answered HTML 400."""
    before = stored()
    big = b'{"pad": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    status, body, _, read = lean(big)
    assert_refusal(status, body, expect=413, code="too_large")
    assert read == 0
    status, body = ninja(device.transport.client, big)
    assert_refusal(status, body, expect=413, code="too_large")
    for length in ("-1", "lots", str(MAX_BODY_BYTES + 1)):
        status, body, _, read = lean(b"{}", length=length)
        assert_refusal(status, body, expect=413, code="too_large")
        assert read == 0
    assert stored() == before


def test_too_many_values_under_the_size_limit_are_refused_before_parsing(device):
    """8 MiB of tiny arrays or numbers parsed for seconds on the old path; counted and refused here."""
    before = stored()
    for raw in (b"[" + b"[]," * 2_000_000 + b"[]]", b"[" + b"1," * 3_000_000 + b"1]"):
        assert len(raw) <= MAX_BODY_BYTES
        status, body, _, _ = lean(raw)
        assert_refusal(status, body, expect=400, code="too_complex")
        assert_refusal(*handle_raw(raw), expect=400, code="too_complex")
    assert stored() == before


def test_a_body_at_the_limit_is_read_and_judged(device):
    raw = b'{"pad": "' + b"x" * (MAX_BODY_BYTES - 20) + b'"}'
    assert len(raw) <= MAX_BODY_BYTES
    status, body, _, read = lean(raw)
    assert read == len(raw)
    assert_refusal(status, body, expect=400, code="bad_message")


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_lost_database_answers_503_in_json(device, valid, error):
    """Old code: InterfaceError (and any error outside handle_raw's except) was an HTML 500."""
    raw = dumps(valid)
    client = Client(raise_request_exception=False)
    with mock.patch.object(CursorWrapper, "execute", side_effect=error("server closed the connection unexpectedly")):
        status, body, headers, _ = lean(raw)
        assert_refusal(status, body, expect=503, code="busy")  # 5xx on purpose: the honest answer for an outage
        assert headers.get("Retry-After")
        response = client.post(MESSAGES, raw, content_type="application/json")
        assert response.status_code == 503 and response.json()["code"] == "busy"
        response = client.post(ENROL, b'{"serial": "X", "role": "auth", "public_key": "' + b"0" * 64
                               + b'", "code": "C", "proof": "00"}', content_type="application/json")
        assert response.status_code in (400, 503) and response["Content-Type"].startswith("application/json")
    assert not apps.get_model("polling", "CheckIn").objects.filter(message_seq=50_000).exists()


def test_a_connection_lost_once_is_opened_again_and_the_message_kept_once(device, valid):
    """Old code: a dropped server session (restart, failover, pg_terminate_backend) answered 503 and the device
    went offline; now the message is handled again on a fresh connection, and stored exactly once."""
    real = CursorWrapper.execute
    failures = iter([OperationalError("terminating connection due to administrator command")])

    def once(self, sql, params=None):
        error = next(failures, None)
        if error is not None:
            raise error
        return real(self, sql, params)

    with mock.patch.object(CursorWrapper, "execute", once), \
            mock.patch("entekhab.hq.polling.endpoint._reconnect") as reconnect:
        status, body, _, _ = lean(dumps(valid))
    assert status == 200 and body["status"] == "accepted", body
    assert reconnect.call_count == 1
    assert apps.get_model("polling", "CheckIn").objects.filter(message_seq=50_000).count() == 1


def test_unexpected_error_is_json_not_html(device, valid):
    with mock.patch("entekhab.hq.polling.actions.handle_message", side_effect=KeyError("boom")):
        status, body, _, _ = lean(dumps(valid))
    assert status == 500 and body["code"] == "server_error" and body["message_fa"]


def test_enrolment_refuses_hostile_bodies(device):
    before = stored()
    for raw in (b"1.5", b"NaN", b"[" * 5000, b'{"serial": "\\u0000"}', b"\xff", b'{"serial": 99999999999999999999}'):
        status, body = ninja(device.transport.client, raw, ENROL)
        assert_refusal(status, body)
        assert body["code"] in ("float_refused", "too_deep", "bad_text", "bad_encoding", "int_out_of_range"), raw
    assert stored() == before


def test_enrolment_oversized(device):
    status, body = ninja(device.transport.client, b'{"x": "' + b"x" * MAX_BODY_BYTES + b'"}', ENROL)
    assert_refusal(status, body, expect=413, code="too_large")


def test_django_and_edge_agree_on_the_body_limit():
    from django.conf import settings as django_settings

    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == MAX_BODY_BYTES


# -- fuzz ------------------------------------------------------------------------------------

_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)  # includes NUL and surrogates
_leaf = st.one_of(
    st.none(), st.booleans(), _text,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2**63, -(2**63) - 1, MAX_SAFE_INT + 1, 10**30]),
)
_json = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(_text, inner, max_size=4)), max_leaves=12)


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


hostile_bodies = st.one_of(
    st.binary(max_size=200),
    _json.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    _json.map(lambda v: json.dumps({"envelope": v, "signature": "00" * 64}, allow_nan=True).encode()),
    st.integers(min_value=MAX_DEPTH - 2, max_value=3_000).map(_deep),
    st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def _mutants(valid: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """A signed check-in with one envelope field replaced by a hostile value: gets past parsing to the checks."""
    fields = ["device", "election", "branch", "seq", "kind", "body"]

    def mutate(args: tuple[str, Any]) -> bytes:
        name, value = args
        payload = json.loads(json.dumps(valid))
        if payload["envelope"][name] == value:
            value = [value]
        payload["envelope"][name] = value
        return json.dumps(payload, allow_nan=True).encode()

    return st.tuples(st.sampled_from(fields), _json).map(mutate)


def test_fuzz_raw_handler(device, valid):
    before = stored()

    @FUZZ
    @given(raw=st.one_of(hostile_bodies, _mutants(valid)))
    def run(raw: bytes) -> None:
        seen.append(1)
        status, body = handle_raw(raw)
        assert_refusal(status, body)
        assert stored() == before

    seen: list[int] = []
    run()
    assert len(seen) >= 2000


def test_fuzz_lean_wsgi(device, valid):
    before = stored()

    @FUZZ
    @given(raw=st.one_of(hostile_bodies, _mutants(valid)))
    def run(raw: bytes) -> None:
        seen.append(1)
        status, body, _, _ = lean(raw)
        assert_refusal(status, body)

    seen: list[int] = []
    run()
    assert len(seen) >= 2000
    assert stored() == before


def test_fuzz_ninja_route(device, valid):
    client = device.transport.client
    before = stored()

    @FUZZ
    @given(raw=st.one_of(hostile_bodies, _mutants(valid)))
    def run(raw: bytes) -> None:
        seen.append(1)
        assert_refusal(*ninja(client, raw))

    seen: list[int] = []
    run()
    assert len(seen) >= 2000
    assert stored() == before


def test_fuzz_enrolment(device):
    client = device.transport.client
    before = stored()
    shaped = st.fixed_dictionaries({"serial": _leaf, "role": _leaf, "public_key": _leaf, "code": _leaf,
                                    "proof": _leaf}).map(lambda v: json.dumps(v, allow_nan=True).encode())

    @FUZZ
    @given(raw=st.one_of(hostile_bodies, shaped))
    def run(raw: bytes) -> None:
        seen.append(1)
        assert_refusal(*ninja(client, raw, ENROL))

    seen: list[int] = []
    run()
    assert len(seen) >= 2000
    assert stored() == before
