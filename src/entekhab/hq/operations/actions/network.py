"""Network status from heartbeats: online / degraded / offline per branch, outages opened and closed.

``refresh_branch`` runs on every heartbeat and ``sweep`` runs periodically
(``entekhab ops network-sweep``); both use the same rule, ``network_status``.
Heartbeats are authenticated here by the device's serial and a per-device token (only its
SHA-256 is stored). Polling day's signed device messages (Ed25519, ``entekhab.hq.polling``)
replace the token: only ``authenticate_device`` changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from entekhab.domain.device_lifecycle import MONITORED
from entekhab.domain.errors import DomainError
from entekhab.domain.sensitivity import Level, requirements
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.operations.actions.common import need
from entekhab.hq.operations.models import BranchNetwork, BranchSensitivity, Device, OutageIncident
from entekhab.hq.operations.models.network import NetStatus


class HeartbeatRefused(DomainError):
    code = "heartbeat_refused"


def network_status(last_seen: Sequence[dt.datetime | None], now: dt.datetime, timeout: dt.timedelta) -> NetStatus:
    """All monitored devices heard within the timeout → online; some → degraded; none → offline."""
    if not last_seen:
        return NetStatus.UNMONITORED
    fresh = sum(1 for t in last_seen if t is not None and now - t <= timeout)
    if fresh == len(last_seen):
        return NetStatus.ONLINE
    return NetStatus.DEGRADED if fresh else NetStatus.OFFLINE


def timeout_for(level: str) -> dt.timedelta:
    return dt.timedelta(minutes=requirements(level).heartbeat_timeout_minutes)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_issue_device_token(device: Device, *, acting_user: Any) -> str:
    """A fresh random token for a device (shown once; only its hash is kept)."""
    need(acting_user, "deploy_device", device)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(token_hash=hash_token(token))
        record(actor=acting_user, action=Event.DEVICE_TOKEN, target=device, after={"serial": device.serial})
    device.token_hash = hash_token(token)
    return token


def authenticate_device(serial: str, token: str) -> Device:
    """The device a heartbeat comes from; the one place that changes when signed messages arrive."""
    device = Device.objects.filter(serial=serial).select_related("branch").first()
    expected = device.token_hash if device and device.token_hash else hash_token(secrets.token_hex(16))
    if device is None or not hmac.compare_digest(expected, hash_token(token)):
        raise HeartbeatRefused("unknown device or wrong token",
                               code="device_unauthenticated")
    return device


def _update(branch: Branch, status: NetStatus, now: dt.datetime, last_heard: dt.datetime | None) -> NetStatus:
    """Write the branch's status; open an outage when it goes offline, close it when it comes back."""
    row = BranchNetwork.objects.select_for_update().filter(branch=branch).first()
    if row is None:
        row = BranchNetwork.objects.create(branch=branch, status=status, since=now, checked_at=now)
        before = NetStatus.UNMONITORED.value
    else:
        before = row.status
        if row.status != status:  # an unchanged status is not rewritten on every heartbeat
            row.status, row.since, row.checked_at = status, now, now
            row.save(update_fields=["status", "since", "checked_at"])
    open_incident = OutageIncident.objects.filter(branch=branch, closed_at__isnull=True).first()
    if status == NetStatus.OFFLINE and open_incident is None:
        incident = OutageIncident.objects.create(branch=branch, opened_at=now, last_heard_at=last_heard)
        record(actor=None, action=Event.NETWORK_OUTAGE_OPEN, target=incident, before={"status": before},
               after={"branch": branch.code, "status": status.value})
    elif status != NetStatus.OFFLINE and open_incident is not None:
        open_incident.closed_at = now
        open_incident.save(update_fields=["closed_at"])
        record(actor=None, action=Event.NETWORK_OUTAGE_CLOSE, target=open_incident, before={"status": before},
               after={"branch": branch.code, "status": status.value})
    return status


def refresh_branch(branch: Branch, now: dt.datetime | None = None) -> NetStatus:
    now = now or timezone.now()
    level = BranchSensitivity.objects.filter(branch=branch).values_list("level", flat=True).first() or Level.NORMAL
    seen = list(Device.objects.filter(branch=branch, state__in=MONITORED).values_list("last_seen_at", flat=True))
    status = network_status(seen, now, timeout_for(level))
    with transaction.atomic():
        return _update(branch, status, now, max((t for t in seen if t), default=None))


def receive_heartbeat(serial: str, token: str, report: dict | None = None,
                      now: dt.datetime | None = None) -> tuple[Device, NetStatus]:
    """A device says it is alive: note it and refresh its branch (closing an outage if one is open)."""
    now = now or timezone.now()
    device = authenticate_device(serial, token)
    if device.state not in MONITORED or device.branch_id is None:
        raise HeartbeatRefused(
            "device %(serial)s is not deployed to a branch", params={"serial": serial}, code="device_not_deployed"
        )
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(last_seen_at=now, last_report=report or {})
        status = refresh_branch(device.branch, now)
    return device, status


def sweep(election: Election, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-derive every branch's status; returns how many branches are in each status."""
    now = now or timezone.now()
    seen: dict[int, list[dt.datetime | None]] = {}
    for bid, t in Device.objects.filter(branch__election=election, state__in=MONITORED).values_list(
            "branch_id", "last_seen_at"):
        seen.setdefault(bid, []).append(t)
    levels = dict(BranchSensitivity.objects.filter(branch__election=election).values_list("branch_id", "level"))
    current = dict(BranchNetwork.objects.filter(branch__election=election).values_list("branch_id", "status"))
    open_ids = set(OutageIncident.objects.filter(branch__election=election, closed_at__isnull=True)
                   .values_list("branch_id", flat=True))
    counts = {s.value: 0 for s in NetStatus}
    changes = []
    for branch in Branch.objects.filter(election=election, id__in=set(seen) | set(current)):
        times = seen.get(branch.id, [])
        status = network_status(times, now, timeout_for(levels.get(branch.id, Level.NORMAL)))
        counts[status.value] += 1
        if current.get(branch.id) != status.value or (status == NetStatus.OFFLINE) != (branch.id in open_ids):
            changes.append((branch, status, max((t for t in times if t), default=None)))
    # Only the branches whose status changed are written, in one transaction (one commit).
    with transaction.atomic():
        for branch, status, last_heard in changes:
            _update(branch, status, now, last_heard)
        BranchNetwork.objects.filter(branch__election=election).update(checked_at=now)
    return counts
