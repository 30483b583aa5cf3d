"""The device pool's entry (``entekhab serve --device-workers N``): what a device asks for, nothing else."""

from __future__ import annotations

import json

import pytest

from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_flow import eligible
from tests.hq.polling.test_hostile_input import MESSAGES, lean, stored
from tests.hq.polling.test_refusals import signed_checkin


def test_the_pool_serves_the_paths_the_agent_uses():
    from entekhab.device.agent import ENROL_PATH, MESSAGE_PATH
    from entekhab.device.photos import PHOTO_PATH
    from entekhab.hq.polling.wsgi import DEVICE_PREFIXES, PATH

    assert PATH == MESSAGE_PATH and ENROL_PATH in DEVICE_PREFIXES and PHOTO_PATH in DEVICE_PREFIXES


@pytest.mark.parametrize("path", ["/", "/admin/", "/admin/login/", "/results/", "/api/v1/operations/heartbeat",
                                  "/api/v1/polling/messages/", "/candidates/", "/static/x.css"])
def test_staff_pages_and_the_admin_are_not_on_the_device_port(db, path):
    from entekhab.hq.polling.wsgi import device_application

    for method in ("GET", "POST"):
        status, body, _, read = lean(b"{}", path=path, app=device_application, method=method)
        assert status == 404 and body["code"] == "not_found" and body["message_fa"], (path, method, body)
        assert read == 0  # refused from the path alone


def test_a_check_in_through_the_device_pool_is_the_lean_path(branches):
    from entekhab.hq.polling.wsgi import device_application

    b = branches(0)
    b.devices.open(now=NOW)
    before = stored()
    raw = json.dumps(signed_checkin(b.auth, eligible(None, 1)[0], seq=60_000)).encode()
    status, body, _, _ = lean(raw, app=device_application)
    assert status == 200 and body["status"] == "accepted"
    assert stored()["polling.CheckIn"] == before["polling.CheckIn"] + 1
    status, body, _, _ = lean(raw, app=device_application)  # the same message again: a replay, not a second vote
    assert status != 200 or body["status"] != "accepted"
    assert stored()["polling.CheckIn"] == before["polling.CheckIn"] + 1


def test_enrolment_on_the_device_pool_reaches_django(db):
    from entekhab.hq.polling.wsgi import device_application

    status, body, _, _ = lean(b"[1, 2", path="/api/v1/polling/enrol", app=device_application)
    assert 400 <= status < 500 and body["code"] != "not_found"
    status, _, _, _ = lean(b"", path=MESSAGES, app=device_application, method="GET")
    assert status == 405
