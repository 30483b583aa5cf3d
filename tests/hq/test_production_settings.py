"""Production fails closed: exact ENTEKHAB_ENV, a strong secret, TLS-only device traffic, CSP, idle sessions.

The settings module is imported in a subprocess with a clean environment, so each case
sees exactly the variables it sets; the device and page cases run in-process with the
production switches turned on by ``override_settings``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.test import Client, override_settings

from entekhab.hq.polling.models import CheckIn, DeviceMessage
from tests.hq.polling.conftest import NOW, branches, operator  # noqa: F401 (fixtures)
from tests.hq.polling.test_flow import eligible
from tests.hq.polling.test_hostile_input import outside_django_request_cycle
from tests.hq.polling.test_refusals import signed_checkin

GOOD_SECRET = "k" * 20 + "Zq8!xV2#mW9$rT4%yU7^pL1&nB6*cD3(fG5)hJ0_"
PRINT_SETTINGS = (
    "import json, entekhab.hq.settings as s; print(json.dumps({n: getattr(s, n, None) for n in ("
    "'ENV', 'DEBUG', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER', 'DEVICE_HTTPS_ONLY', "
    "'SESSION_COOKIE_AGE', 'SESSION_SAVE_EVERY_REQUEST')}))"
)


def settings_in(tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {"ENTEKHAB_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", PRINT_SETTINGS], env={**base, **env}, capture_output=True,
                          text=True)


def production(tmp_path, **env: str) -> subprocess.CompletedProcess:
    return settings_in(tmp_path, **{"ENTEKHAB_ENV": "production", "DJANGO_SECRET_KEY": GOOD_SECRET,
                                    "ENTEKHAB_ALLOWED_HOSTS": "hq.example.org", **env})


@pytest.mark.parametrize("spelling", ["Production", "PRODUCTION", "prod", "production ", "staging"])
def test_an_unknown_environment_refuses_to_start(tmp_path, spelling):
    out = settings_in(tmp_path, ENTEKHAB_ENV=spelling, DJANGO_SECRET_KEY=GOOD_SECRET)
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr and repr(spelling) in out.stderr
    assert "development, test, production" in out.stderr


@pytest.mark.parametrize("env", ["development", "test"])
def test_the_other_environments_still_start(tmp_path, env):
    out = settings_in(tmp_path, ENTEKHAB_ENV=env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ENV"] == env


@pytest.mark.parametrize("secret, why", [
    ("x", "fewer than 50"),
    ("ab" * 30, "distinct characters"),
    ("abcdefgh" * 8, "bits of entropy"),
    ("django-insecure-" + GOOD_SECRET, "django-insecure-"),
])
def test_production_refuses_a_weak_secret(tmp_path, secret, why):
    out = production(tmp_path, DJANGO_SECRET_KEY=secret)
    assert out.returncode != 0 and "DJANGO_SECRET_KEY" in out.stderr and why in out.stderr


def test_a_good_production_config_is_hardened(tmp_path):
    out = production(tmp_path)
    assert out.returncode == 0, out.stderr
    s = json.loads(out.stdout)
    assert s["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["DEVICE_HTTPS_ONLY"] and not s["DEBUG"]
    # The forwarded-proto header is trusted only when a proxy is declared (a client could claim it).
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    behind = json.loads(production(tmp_path, ENTEKHAB_BEHIND_PROXY="1").stdout)
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_session_idle_timeout_is_configurable(tmp_path):
    default = json.loads(settings_in(tmp_path).stdout)
    assert default["SESSION_COOKIE_AGE"] == 30 * 60 and default["SESSION_SAVE_EVERY_REQUEST"]
    ten = json.loads(settings_in(tmp_path, ENTEKHAB_SESSION_IDLE_MINUTES="10").stdout)
    assert ten["SESSION_COOKIE_AGE"] == 600
    assert settings_in(tmp_path, ENTEKHAB_SESSION_IDLE_MINUTES="0").returncode != 0


def test_each_request_pushes_the_idle_expiry_on(client_as, election):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from entekhab.hq.accounts.roles import Role

    client = client_as(Role.HQ_ADMIN)
    key = client.session.session_key
    row = Session.objects.filter(session_key=key)
    soon = timezone.now() + dt.timedelta(minutes=1)
    row.update(expire_date=soon)
    assert client.get("/admin/").status_code == 200
    pushed = row.get().expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < pushed <= dt.timedelta(minutes=30)  # the idle window, not two weeks
    # Idle past the window: the session is gone and the user must sign in again.
    row.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/admin/").status_code == 302


# -- device traffic over plain HTTP ---------------------------------------------------------

PRODUCTION_TRANSPORT = {"DEVICE_HTTPS_ONLY": True, "SECURE_SSL_REDIRECT": True}


@pytest.fixture
def opened(branches):  # noqa: F811 (the polling fixture, imported above)
    b = branches(0)
    b.devices.open(now=NOW)
    return b


def stored() -> tuple[int, int]:
    return CheckIn.objects.count(), DeviceMessage.objects.count()


def assert_refused(status: int, body: dict) -> None:
    assert status == 403, body
    assert body["code"] == "https_required" and "HTTPS" in body["message_fa"] and body["message"]


@override_settings(**PRODUCTION_TRANSPORT)
@pytest.mark.election_state("polling")
def test_plain_http_device_message_is_refused_not_redirected(opened):
    voter = eligible(None, 1)[0]
    before = stored()
    response = Client().post("/api/v1/polling/messages", signed_checkin(opened.auth, voter),
                             content_type="application/json")
    assert_refused(response.status_code, response.json())
    assert stored() == before and not CheckIn.objects.filter(national_code=voter).exists()
    # Over TLS the same message is taken.
    response = Client().post("/api/v1/polling/messages", signed_checkin(opened.auth, voter),
                             content_type="application/json", secure=True)
    assert response.status_code == 200 and response.json()["status"] == "accepted"


@override_settings(**PRODUCTION_TRANSPORT)
@pytest.mark.parametrize("path", ["/api/v1/polling/enrol", "/api/v1/devices/heartbeat"])
def test_plain_http_enrolment_and_heartbeat_are_refused(db, path):
    response = Client().post(path, {"serial": "X"}, content_type="application/json")
    assert_refused(response.status_code, response.json())


@override_settings(**PRODUCTION_TRANSPORT)
def test_pages_are_still_redirected_to_https(db):
    response = Client().get("/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def _lean(payload: dict, **environ: str) -> tuple[int, dict]:
    from entekhab.hq.polling import wsgi

    data = json.dumps(payload).encode()
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": wsgi.PATH, "CONTENT_LENGTH": str(len(data)),
           "wsgi.input": io.BytesIO(data), "wsgi.url_scheme": "http", "SERVER_NAME": "testserver",
           "SERVER_PORT": "80", **environ}
    seen = {}
    with outside_django_request_cycle():
        body = b"".join(wsgi.application(env, lambda status, headers: seen.update(status=status)))
    return int(seen["status"].split()[0]), json.loads(body)


@override_settings(**PRODUCTION_TRANSPORT)
@pytest.mark.election_state("polling")
def test_plain_http_on_the_lean_device_path_is_refused(opened):
    voter = eligible(None, 1)[0]
    before = stored()
    assert_refused(*_lean(signed_checkin(opened.auth, voter)))
    # A forwarded-proto header is not believed unless a proxy is declared.
    assert_refused(*_lean(signed_checkin(opened.auth, voter), HTTP_X_FORWARDED_PROTO="https"))
    assert stored() == before
    status, body = _lean(signed_checkin(opened.auth, voter), **{"wsgi.url_scheme": "https"})
    assert status == 200 and body["status"] == "accepted"


@override_settings(**PRODUCTION_TRANSPORT, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
@pytest.mark.election_state("polling")
def test_behind_a_declared_proxy_the_forwarded_scheme_decides(opened):
    voter = eligible(None, 1)[0]
    assert_refused(*_lean(signed_checkin(opened.auth, voter), HTTP_X_FORWARDED_PROTO="http"))
    status, body = _lean(signed_checkin(opened.auth, voter), HTTP_X_FORWARDED_PROTO="https")
    assert status == 200 and body["status"] == "accepted"


# -- content security policy ----------------------------------------------------------------

def test_html_pages_carry_a_content_security_policy(client, election):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # No page template carries an inline script the policy would block.
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html


def test_the_admin_carries_the_policy_too(client_as):
    from entekhab.hq.accounts.roles import Role

    response = client_as(Role.HQ_ADMIN).get("/admin/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
