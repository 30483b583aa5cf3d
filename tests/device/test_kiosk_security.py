"""The kiosk's HTTP edge refuses what must not reach the devices, and changes nothing when it does.

A wrong Host (DNS rebinding), a cross-origin POST, no login, the wrong role, a lapsed
session and a guessed PIN are each refused with a JSON body (code, message, message_fa)
and a 4xx; the devices' journals are byte-for-byte what they were. A Hypothesis fuzz sends
the API every kind of malformed body and asserts no 5xx and no change on refusal.

The devices here are initialised but never talk to HQ (no DB, fast); the full flow with a
login is tests/browser/test_polling.py.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from entekhab.device.kiosk import Kiosk
from entekhab.device.kiosk.operators import (
    BRANCH_HEAD,
    LOCK_S,
    MAX_FAILURES,
    OPERATOR,
    ROUTE_ROLES,
    OperatorDesk,
    demo_pins,
)
from entekhab.device.kiosk.server import make_app
from tests.device.conftest import HEAD_NAME, bare_devices, give_pins, kiosk_login

ORIGIN = "http://testserver"
PINS = demo_pins()
HQ_LINE = {"no_hq", "hq_unreachable"}  # refused for want of HQ, not for the input
GUARDED = sorted(path for path, role in ROUTE_ROLES.items() if role is not None)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def devices(tmp_path_factory):
    devices = bare_devices(tmp_path_factory.mktemp("kiosk-security"))
    give_pins(devices)
    return devices


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def kiosk(devices, clock, tmp_path):
    desk = OperatorDesk([devices.auth.journal, devices.ebox.journal], clock=clock)
    kiosk = Kiosk(devices, report_dir=tmp_path, operators=desk)
    for role in (BRANCH_HEAD, OPERATOR):  # a fresh lock count for each test
        devices.auth.journal.put(f"operator_lock:{role}", json.dumps({"failures": 0, "locked_until": 0}))
    return kiosk


@pytest.fixture
def client(kiosk):
    with TestClient(make_app(kiosk, allowed_hosts=["testserver"])) as c:
        yield c


def state(devices) -> list:
    """Everything the devices hold: both journals' chains and settings (less the login lock counters)."""
    out = []
    for agent in (devices.auth, devices.ebox):
        out.append(agent.journal.db.execute("SELECT seq, digest FROM journal ORDER BY seq").fetchall())
        out.append(agent.journal.db.execute(
            "SELECT key, value FROM settings WHERE key NOT LIKE 'operator_lock:%' ORDER BY key").fetchall())
    return out


def refused(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message"] and body["message_fa"] != body["message"]


def test_a_wrong_host_is_refused_for_pages_and_calls(client, devices):
    before = state(devices)
    kiosk_login(client, BRANCH_HEAD)
    for method, path in (("GET", "/"), ("GET", "/api/status"), ("POST", "/api/open"), ("POST", "/api/login")):
        response = client.request(method, path, json={"role": BRANCH_HEAD, "pin": PINS[BRANCH_HEAD]},
                                  headers={"Host": "evil.example:8470", "Origin": "http://evil.example:8470"})
        refused(response, 421, "bad_host")
    assert state(devices) == before


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "http://testserver:8080"},
    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Referer": "http://evil.example/ebox"},
    {"Referer": "http://testserver.evil.example/"}, {}])
def test_a_cross_origin_post_is_refused(client, devices, headers):
    kiosk_login(client, BRANCH_HEAD)
    before = state(devices)
    for path in ("/api/open", "/api/close", "/api/login", "/api/logout"):
        refused(client.post(path, json={"role": BRANCH_HEAD, "pin": PINS[BRANCH_HEAD]}, headers=headers),
                403, "cross_origin")
    assert state(devices) == before
    assert client.get("/api/whoami").json()["operator"]["role"] == BRANCH_HEAD  # the logout was refused too


def test_same_origin_without_an_origin_header_gets_through(client):
    kiosk_login(client, OPERATOR)
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Referer": "http://testserver/auth"}):
        response = client.post("/api/auth/scan", json={"session": "x"}, headers=headers)
        assert response.json()["code"] == "no_session"  # reached the application layer


def test_every_guarded_route_needs_a_login(client, devices):
    before = state(devices)
    for path in GUARDED:
        refused(client.post(path, json={}, headers={"Origin": ORIGIN}), 401, "login_required")
    assert client.get("/api/status").status_code == 200  # the status stays readable
    assert state(devices) == before


@pytest.mark.parametrize("path,body", [
    ("/api/open", {}), ("/api/close", {"supervisor": "ناظر"}),
    ("/api/auth/release", {"session": "x", "reason": "دست مجروح"}),
    ("/api/auth/checkin", {"session": "x", "offline_approved": True}),
    ("/api/auth/checkin", {"session": "x", "offline_approved_by": "کسی"})])
def test_the_operator_cannot_do_what_only_the_branch_head_may(client, devices, path, body):
    assert kiosk_login(client, OPERATOR).json()["operator"]["role"] == OPERATOR
    before = state(devices)
    refused(client.post(path, json=body, headers={"Origin": ORIGIN}), 403, "wrong_role")
    assert state(devices) == before
    assert client.post("/api/auth/scan", json={"session": "x"},
                       headers={"Origin": ORIGIN}).json()["code"] == "no_session"  # the operator's own work passes


def test_the_branch_head_may_and_is_named_from_the_enrolment(client):
    answer = kiosk_login(client, BRANCH_HEAD).json()
    assert answer["operator"] == {"role": BRANCH_HEAD, "role_fa": "رئیس شعبه", "name": HEAD_NAME}
    response = client.post("/api/auth/release", json={"session": "x", "reason": "r"}, headers={"Origin": ORIGIN})
    assert response.json()["code"] == "no_session"  # past the role check


def test_the_session_cookie_is_httponly_strict_and_logout_ends_it(client):
    response = kiosk_login(client, OPERATOR)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert client.post("/api/logout", headers={"Origin": ORIGIN}).status_code == 200
    refused(client.post("/api/auth/scan", json={}, headers={"Origin": ORIGIN}), 401, "login_required")


def test_a_session_lapses_after_fifteen_idle_minutes(client, clock):
    kiosk_login(client, OPERATOR)
    for _ in range(3):  # use keeps it alive
        clock.now += 14 * 60
        assert client.post("/api/auth/scan", json={}, headers={"Origin": ORIGIN}).json()["code"] == "no_session"
    clock.now += 10 * 60
    assert client.get("/api/whoami").json()["operator"] is not None  # asking who is logged in is not use
    clock.now += 5 * 60 + 1
    who = client.get("/api/whoami").json()
    assert who["operator"] is None and who["expired"] and "دوباره وارد شوید" in who["refusal"]["message_fa"]
    kiosk_login(client, OPERATOR)
    clock.now += 15 * 60 + 1
    refused(client.post("/api/auth/scan", json={}, headers={"Origin": ORIGIN}), 401, "session_expired")


def test_wrong_pins_lock_the_role_and_a_restart_does_not_unlock_it(client, kiosk, clock, devices):
    wrong = "000000" if PINS[OPERATOR] != "000000" else "111111"
    for left in range(MAX_FAILURES - 1, 0, -1):
        response = kiosk_login(client, OPERATOR, wrong)
        refused(response, 401, "wrong_pin")
        assert response.json()["message"].startswith(f"wrong PIN; {left} attempt")
    refused(kiosk_login(client, OPERATOR, wrong), 429, "pin_locked")
    refused(kiosk_login(client, OPERATOR), 429, "pin_locked")  # even the right PIN, while locked
    assert kiosk_login(client, BRANCH_HEAD).status_code == 200  # the other role is not locked
    restarted = OperatorDesk([devices.auth.journal, devices.ebox.journal], clock=clock)
    with pytest.raises(Exception, match="locked"):
        restarted.login(OPERATOR, PINS[OPERATOR])
    clock.now += LOCK_S + 1
    assert kiosk_login(client, OPERATOR).status_code == 200
    assert PINS[OPERATOR] not in devices.auth.journal.get("operator_pin:operator")  # never the PIN in the clear


def test_persian_digits_in_the_pin_are_the_same_pin(client):
    persian = PINS[OPERATOR].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert kiosk_login(client, OPERATOR, persian).status_code == 200


# -- fuzz: every kind of bad body, through the real app ----------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
    | st.sampled_from(["\x00", "0" * 10, "۰۱۲۳۴۵۶۷۸۹", "<script>", "../../etc", "x" * 300, ""]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
fields = st.sampled_from(["session", "national_code", "card", "ballot", "codes", "contest", "reason",
                          "supervisor", "offline_approved", "offline_approved_by", "role", "pin", "image"])
bodies = st.dictionaries(fields, json_values, max_size=5)
raw_bodies = st.one_of(
    bodies.map(lambda b: json.dumps(b).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),  # non-objects too
    st.binary(max_size=64),  # bad UTF-8, garbage
    st.sampled_from([b'{"pin": NaN}', b'{"a": Infinity}', b"[" * 5000 + b"]" * 5000, b'{"a":' * 200 + b"1" + b"}" * 200,
                     b'{"n": ' + b"9" * 5000 + b"}", b'{"national_code": "\\u0000"}', b'{"card": "\xff\xfe"}',
                     b'{"a": 1', b"\xef\xbb\xbf{}", b"null"]))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from([*GUARDED, "/api/login", "/api/nope"]), raw=raw_bodies)
def test_fuzz_no_5xx_and_refusals_change_nothing(client, devices, path, raw):
    if "kiosk_session" not in client.cookies:
        kiosk_login(client, BRANCH_HEAD)
    before = (state(devices), devices.auth.journal.count("card_issued"))
    response = client.post(path, content=raw, headers={"Origin": ORIGIN, "Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code >= 400:
        assert body["code"] and body["message_fa"]
        if body["code"] in HQ_LINE:  # these devices have no HQ: the agent journals its attempt to reach it
            return
        assert (state(devices), devices.auth.journal.count("card_issued")) == before


def test_a_body_over_one_megabyte_is_refused(client, devices):
    kiosk_login(client, OPERATOR)
    before = state(devices)
    refused(client.post("/api/auth/begin", content=b'{"national_code": "' + b"1" * 1_000_001 + b'"}',
                        headers={"Origin": ORIGIN}), 413, "too_large")
    assert state(devices) == before


def test_printed_cards_and_spoken_clips_are_for_a_logged_in_desk_only(client, kiosk):
    """A card image carries its token and a cached clip shows that a voter typed that name: no login, no bytes."""
    name = kiosk.audio.clips.clip("test")  # a clip the e-box really rendered
    for path in (f"/audio/{name}", "/cards/anything.png"):
        refused(client.get(path), 401, "login_required")
    kiosk_login(client, OPERATOR)
    assert client.get(f"/audio/{name}").status_code == 200
    assert client.get("/cards/anything.png").status_code == 404
