"""Signed heartbeats: HQ takes them only from the enrolled key, in order, for the device's own branch,
with a bounded body, on both device endpoints; accepted ones drive the network status and the sweep."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from entekhab.hq.operations.actions.network import sweep
from entekhab.hq.operations.models import BranchNetwork, OutageIncident
from entekhab.hq.polling.clock import polling_day_at
from entekhab.hq.polling.models import DeviceEnrolment, DeviceMessage
from entekhab.records.messages import Envelope
from entekhab.records.signing import SigningKey
from tests.hq.polling.conftest import NOW
from tests.hq.polling.test_hostile_input import outside_django_request_cycle

pytestmark = pytest.mark.election_state("polling")
GOOD = {"state": "open", "battery": 80, "power": "battery", "link": "sim", "signal_dbm": -85, "queued": 0,
        "clock_offset_ms": 0, "interval_s": 30, "at": "2026-05-01T06:30:00Z"}


def signed(agent, seq, body=None, key=None, **overrides):
    doc = {"device": agent.serial, "election": agent.setting("election"), "branch": agent.setting("branch"),
           "seq": seq, "kind": "heartbeat", "body": GOOD if body is None else body, **overrides}
    return Envelope.parse(doc).signed(key or agent.key)


def unsignable(agent, seq, **body):
    """A body no canonical signature can cover (a float, a huge integer): the edge reader refuses it."""
    payload = signed(agent, seq)
    payload["envelope"]["body"] = {**GOOD, **body}
    return payload


def unsignable_body(agent, seq, body):
    payload = signed(agent, seq)
    payload["envelope"]["body"] = body
    return payload


def via_ninja(client, payload):
    r = client.post("/api/v1/polling/messages", payload, content_type="application/json")
    return r.status_code, r.json()


def via_lean(client, payload):
    from entekhab.hq.polling import wsgi

    data = json.dumps(payload).encode()
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": wsgi.PATH, "CONTENT_LENGTH": str(len(data)),
           "wsgi.input": io.BytesIO(data), "wsgi.url_scheme": "https", "SERVER_NAME": "testserver",
           "SERVER_PORT": "443"}
    seen = {}
    with outside_django_request_cycle():
        body = b"".join(wsgi.application(env, lambda status, headers: seen.update(status=status)))
    return int(seen["status"].split()[0]), json.loads(body)


def stored():
    return (list(DeviceEnrolment.objects.order_by("pk").values_list("heartbeat_seq", "heartbeat_at", "heartbeat")),
            BranchNetwork.objects.count(), DeviceMessage.objects.count())


@pytest.mark.parametrize("send", [via_ninja, via_lean])
def test_refusals_on_both_endpoints_change_nothing(branches, send):
    one, other = branches(0), branches(1)
    client = one.transport.client
    assert send(client, signed(one.auth, 50))[0] == 200
    before = stored()
    cases = {
        "wrong key": (signed(one.auth, 60, key=SigningKey.generate()), 400),
        "replay": (signed(one.auth, 50), 409),
        "older": (signed(one.auth, 49), 409),
        "other branch": (signed(one.auth, 61, branch=other.auth.setting("branch")), 400),
        "not enrolled": (signed(one.auth, 62, device="NO-SUCH-DEVICE"), 403),
        "float": (unsignable(one.auth, 63, battery=80.5), 400),
        "huge int": (unsignable(one.auth, 64, queued=10**30), 400),
        "signed out of bounds": (signed(one.auth, 64, {**GOOD, "queued": 10**15}), 400),
        "signed negative battery": (signed(one.auth, 64, {**GOOD, "battery": -3}), 400),
        "unknown key": (signed(one.auth, 65, {**GOOD, "blob": "x"}), 400),
        "wrong type": (signed(one.auth, 66, {**GOOD, "power": 3}), 400),
        "not an object": (unsignable_body(one.auth, 67, ["open"]), 400),
    }
    for name, (payload, status) in cases.items():
        got, body = send(client, payload)
        assert got == status, (name, got, body)
        assert body["code"] and body["message"] and body["message_fa"], name
        assert stored() == before, name



def test_the_agent_sends_due_heartbeats_and_the_sweep_marks_silence(branches):
    b = branches(0)
    t0 = NOW
    with polling_day_at(t0):
        assert b.auth.heartbeat(t0).delivered and b.ebox.heartbeat(t0).delivered
    assert b.auth.heartbeat(t0 + dt.timedelta(seconds=10)) is None  # not due yet
    enrolment = DeviceEnrolment.objects.get(serial=b.auth.serial)
    assert enrolment.heartbeat["state"] == "enrolled" and enrolment.heartbeat["queued"] == 0
    election = enrolment.election
    network = BranchNetwork.objects.get(branch=enrolment.branch)
    assert network.status == "online"
    # Silent past MISSED_HEARTBEATS (3) × 30 s: offline, an outage opens.
    counts = sweep(election, t0 + dt.timedelta(seconds=91))
    assert counts["offline"] == 1 and counts["unmonitored"] == 0
    assert OutageIncident.objects.filter(branch=enrolment.branch, closed_at__isnull=True).count() == 1
    later = t0 + dt.timedelta(minutes=5)
    with polling_day_at(later):
        assert b.auth.heartbeat(later).answer["branch_status"] == "degraded"
        assert b.ebox.heartbeat(later).answer["branch_status"] == "online"
    assert OutageIncident.objects.get(branch=enrolment.branch).closed_at is not None
    assert sweep(election, later + dt.timedelta(seconds=30))["online"] == 1


def test_the_token_heartbeat_is_retired(client, branches):
    b = branches(0)
    r = client.post("/api/v1/devices/heartbeat", {"serial": b.auth.serial, "token": "t" * 20},
                    content_type="application/json")
    assert r.status_code == 410 and r.json()["code"] == "heartbeat_retired" and r.json()["message_fa"]


def test_the_network_page_lists_devices_with_their_last_heartbeat(client, branches, operator):
    b = branches(0)
    with polling_day_at(NOW):
        b.auth.heartbeat(NOW)
    client.force_login(operator)
    page = client.get(f"/operations/{b.auth.setting('election')}/network/").content.decode()
    assert b.auth.serial in page and b.ebox.serial in page and "هرگز" in page  # the e-box never beat yet
