"""The network rule: a branch whose devices stop reporting goes offline after the policy timeout and
an outage opens (signed heartbeats themselves: tests/hq/polling/test_heartbeats.py)."""

from __future__ import annotations

import datetime as dt

from entekhab.domain.sensitivity import requirements
from entekhab.hq.operations.actions.devices import do_device_event, do_draw_devices
from entekhab.hq.operations.actions.network import device_timeout, network_status, sweep
from entekhab.hq.operations.models import BranchNetwork, Device, OutageIncident
from entekhab.hq.operations.models.network import NetStatus
from entekhab.hq.operations.policy import MISSED_HEARTBEATS

T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)


def test_status_rule():
    t = dt.timedelta(minutes=10)
    assert network_status([], T0, t) is NetStatus.UNMONITORED
    assert network_status([T0, T0 - t], T0, t) is NetStatus.ONLINE
    assert network_status([T0, T0 - t - dt.timedelta(seconds=1)], T0, t) is NetStatus.DEGRADED
    assert network_status([None, T0 - 2 * t], T0, t) is NetStatus.OFFLINE


def test_inventory_device_deployed_but_not_enrolled_counts_as_silent(election, executive):
    """Nothing can vouch for a deployed device without an enrolled key: its branch is not "online"."""
    do_draw_devices(election, stage="region", seed="net", acting_user=executive)
    do_draw_devices(election, stage="branch", seed="net", acting_user=executive)
    branch = election.branches.filter(sensitivity__level="critical").first()
    for d in Device.objects.filter(branch=branch):
        do_device_event(d, "deploy", place=branch.code, acting_user=executive)
    assert sweep(election, T0)["offline"] >= 1
    assert BranchNetwork.objects.get(branch=branch).status == "offline"
    assert OutageIncident.objects.filter(branch=branch, closed_at__isnull=True).count() == 1


def test_device_timeout_follows_its_interval_capped_by_the_level():
    assert device_timeout("normal", {"interval_s": 30}) == dt.timedelta(seconds=30 * MISSED_HEARTBEATS)
    assert device_timeout("critical", {"interval_s": 3600}) == dt.timedelta(
        minutes=requirements("critical").heartbeat_timeout_minutes)
    assert device_timeout("normal", {}) == dt.timedelta(minutes=requirements("normal").heartbeat_timeout_minutes)
