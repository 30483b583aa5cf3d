"""Heartbeats: a branch whose devices stop reporting goes offline after the policy timeout and an
outage opens; it closes when they report again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from entekhab.domain.sensitivity import requirements
from entekhab.hq.operations.actions.devices import do_device_event, do_draw_devices
from entekhab.hq.operations.actions.network import (
    HeartbeatRefused,
    do_issue_device_token,
    network_status,
    receive_heartbeat,
    sweep,
)
from entekhab.hq.operations.models import BranchNetwork, Device, OutageIncident
from entekhab.hq.operations.models.network import NetStatus

T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)


def test_status_rule():
    t = dt.timedelta(minutes=10)
    assert network_status([], T0, t) is NetStatus.UNMONITORED
    assert network_status([T0, T0 - t], T0, t) is NetStatus.ONLINE
    assert network_status([T0, T0 - t - dt.timedelta(seconds=1)], T0, t) is NetStatus.DEGRADED
    assert network_status([None, T0 - 2 * t], T0, t) is NetStatus.OFFLINE


@pytest.fixture
def deployed(election, executive):
    """A normal-sensitivity branch with its two devices deployed and their tokens."""
    do_draw_devices(election, stage="region", seed="net", acting_user=executive)
    do_draw_devices(election, stage="branch", seed="net", acting_user=executive)
    branch = election.branches.filter(sensitivity__level="normal").order_by("code").first()
    tokens = {}
    for d in Device.objects.filter(branch=branch):
        do_device_event(d, "deploy", place=branch.code, acting_user=executive)
        tokens[d.serial] = do_issue_device_token(d, acting_user=executive)
    return branch, tokens


def post(client, serial, token, **report):
    return client.post("/api/v1/devices/heartbeat", {"serial": serial, "token": token, "report": report},
                       content_type="application/json")


def test_branch_goes_offline_after_the_timeout_and_recovers(client, election, deployed):
    branch, tokens = deployed
    (a, ta), (b, tb) = sorted(tokens.items())
    r = post(client, a, ta, battery=91)
    assert r.status_code == 200 and r.json() == {"serial": a, "branch": branch.code, "branch_status": "degraded"}
    assert post(client, b, tb).json()["branch_status"] == "online"
    now = timezone.now()
    timeout = dt.timedelta(minutes=requirements("normal").heartbeat_timeout_minutes)
    assert sweep(election, now + timeout - dt.timedelta(seconds=5))["online"] >= 1
    assert not OutageIncident.objects.filter(branch=branch).exists()
    counts = sweep(election, now + timeout + dt.timedelta(seconds=5))
    assert counts["offline"] >= 1
    assert BranchNetwork.objects.get(branch=branch).status == "offline"
    incident = OutageIncident.objects.get(branch=branch)
    assert incident.closed_at is None and incident.last_heard_at is not None
    sweep(election, now + 2 * timeout)  # a second sweep does not open a second incident
    assert OutageIncident.objects.filter(branch=branch).count() == 1
    # One device reports again (simulated clock): degraded, and the outage closes.
    later = now + 2 * timeout + dt.timedelta(minutes=1)
    assert receive_heartbeat(a, ta, {"battery": 80}, now=later)[1] is NetStatus.DEGRADED
    incident.refresh_from_db()
    assert incident.closed_at == later
    assert receive_heartbeat(b, tb, now=later)[1] is NetStatus.ONLINE
    assert Device.objects.get(serial=a).last_report == {"battery": 80}


def test_bad_heartbeats_are_refused_and_change_nothing(client, election, deployed):
    branch, tokens = deployed
    serial, token = next(iter(tokens.items()))
    for body in ({"serial": serial, "token": "w" * 43}, {"serial": "NO-SUCH-DEVICE", "token": token}):
        r = client.post("/api/v1/devices/heartbeat", body, content_type="application/json")
        assert r.status_code == 400 and r.json()["code"] == "device_unauthenticated" and r.json()["message_fa"]
    for body in ({"serial": serial}, {"serial": serial, "token": "short"}, {"token": token}):
        assert client.post("/api/v1/devices/heartbeat", body, content_type="application/json").status_code == 422
    r = client.post("/api/v1/devices/heartbeat", "not json", content_type="application/json")
    assert r.status_code in (400, 422)
    r = post(client, serial, token, blob="x" * 5000)
    assert r.status_code == 400 and r.json()["code"] == "report_too_large"
    assert Device.objects.get(serial=serial).last_seen_at is None
    assert not BranchNetwork.objects.filter(branch=branch).exists()


def test_a_device_not_deployed_cannot_report(election, executive):
    device = Device.objects.filter(state="tested").first()
    token = do_issue_device_token(device, acting_user=executive)
    with pytest.raises(HeartbeatRefused, match="not deployed"):
        receive_heartbeat(device.serial, token)
    assert Device.objects.get(pk=device.pk).last_seen_at is None


def test_critical_branches_time_out_sooner(election, executive):
    normal, critical = requirements("normal"), requirements("critical")
    assert critical.heartbeat_timeout_minutes < normal.heartbeat_timeout_minutes
    do_draw_devices(election, stage="region", seed="net", acting_user=executive)
    do_draw_devices(election, stage="branch", seed="net", acting_user=executive)
    branch = election.branches.filter(sensitivity__level="critical").first()
    for d in Device.objects.filter(branch=branch):
        do_device_event(d, "deploy", place=branch.code, acting_user=executive)
        token = do_issue_device_token(d, acting_user=executive)
        receive_heartbeat(d.serial, token, now=T0)
    sweep(election, T0 + dt.timedelta(minutes=critical.heartbeat_timeout_minutes, seconds=1))
    assert BranchNetwork.objects.get(branch=branch).status == "offline"
    assert OutageIncident.objects.filter(branch=branch, closed_at__isnull=True).count() == 1
