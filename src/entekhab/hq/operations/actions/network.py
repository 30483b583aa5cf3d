"""Network status from signed heartbeats: online / degraded / offline per branch, outages opened and closed.

A branch's devices are its polling-day devices (active ``polling.DeviceEnrolment``: each signs its
heartbeats with its enrolled Ed25519 key, checked in ``hq.polling.actions.messages``) plus any
inventory device deployed there that has no enrolment (it cannot be heard, so it counts as
silent). A device is silent once it missed ``policy.MISSED_HEARTBEATS`` of its own intervals,
and never later than its branch's sensitivity timeout. ``note_heartbeat`` runs on every
accepted heartbeat and ``sweep`` periodically (``entekhab ops network-sweep``); both use the same
rule, ``network_status``. The old per-device token heartbeat is retired: no one could issue a
token, and a second device credential beside the enrolled key was one more thing to steal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from entekhab.domain.device_lifecycle import MONITORED
from entekhab.domain.errors import DomainError
from entekhab.domain.sensitivity import Level, requirements
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import Branch, Election
from entekhab.hq.operations.models import BranchNetwork, BranchSensitivity, Device, OutageIncident
from entekhab.hq.operations.models.network import NetStatus
from entekhab.hq.operations.policy import MISSED_HEARTBEATS
from entekhab.hq.polling import clock

Heard = tuple[dt.datetime | None, dt.timedelta]  # last heartbeat, how long the device may be silent


class HeartbeatRefused(DomainError):
    code = "heartbeat_refused"


def network_status(last_seen: Sequence[dt.datetime | None], now: dt.datetime,
                   timeout: dt.timedelta | Sequence[dt.timedelta]) -> NetStatus:
    """All monitored devices heard within their timeout → online; some → degraded; none → offline.

    ``timeout`` is one for all devices or one per device (each device's own heartbeat interval).
    """
    if not last_seen:
        return NetStatus.UNMONITORED
    limits = [timeout] * len(last_seen) if isinstance(timeout, dt.timedelta) else list(timeout)
    fresh = sum(1 for t, limit in zip(last_seen, limits, strict=True) if t is not None and now - t <= limit)
    if fresh == len(last_seen):
        return NetStatus.ONLINE
    return NetStatus.DEGRADED if fresh else NetStatus.OFFLINE


def timeout_for(level: str) -> dt.timedelta:
    return dt.timedelta(minutes=requirements(level).heartbeat_timeout_minutes)


def device_timeout(level: str, report: dict[str, Any] | None) -> dt.timedelta:
    """Silent after MISSED_HEARTBEATS of the device's own intervals, capped by the level's timeout."""
    cap = timeout_for(level)
    interval = (report or {}).get("interval_s")
    if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
        return min(cap, dt.timedelta(seconds=MISSED_HEARTBEATS * interval))
    return cap


def heard_by_branch(branches: Q) -> dict[int, list[Heard]]:
    """Every monitored device of the branches matching ``branches`` (a ``Q`` on Branch), with its last heartbeat."""
    from entekhab.hq.polling.models import DeviceEnrolment, EnrolmentState

    ids = list(Branch.objects.filter(branches).values_list("id", flat=True))
    levels = dict(BranchSensitivity.objects.filter(branch_id__in=ids).values_list("branch_id", "level"))
    heard: dict[int, list[Heard]] = {}
    enrolled: set[str] = set()
    for bid, serial, at, report in DeviceEnrolment.objects.filter(
            branch_id__in=ids, state=EnrolmentState.ACTIVE).values_list("branch_id", "serial", "heartbeat_at",
                                                                        "heartbeat"):
        enrolled.add(serial)
        heard.setdefault(bid, []).append((at, device_timeout(levels.get(bid, Level.NORMAL), report)))
    for bid, serial, at in Device.objects.filter(branch_id__in=ids, state__in=MONITORED).values_list(
            "branch_id", "serial", "last_seen_at"):
        if serial not in enrolled:  # deployed but never enrolled: nothing can vouch for it
            heard.setdefault(bid, []).append((at, timeout_for(levels.get(bid, Level.NORMAL))))
    return heard


def _status(heard: list[Heard], now: dt.datetime) -> NetStatus:
    return network_status([t for t, _ in heard], now, [limit for _, limit in heard])


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
    now = now or clock.now()  # the polling day's clock (a rehearsal's compressed one)
    heard = heard_by_branch(Q(pk=branch.pk)).get(branch.pk, [])
    status = _status(heard, now)
    with transaction.atomic():
        return _update(branch, status, now, max((t for t, _ in heard if t), default=None))


def note_heartbeat(serial: str, branch: Branch, report: dict[str, Any], now: dt.datetime) -> NetStatus:
    """An authenticated heartbeat (``hq.polling``) reached HQ: mirror it on the inventory and refresh the branch.

    The caller has already stored it on the enrolment and checked key, branch and sequence.
    """
    Device.objects.filter(serial=serial).filter(Q(branch__isnull=True) | Q(branch=branch)).update(
        last_seen_at=now, last_report=report)
    return refresh_branch(branch, now)


def retired_token_heartbeat() -> HeartbeatRefused:
    """What the old ``/api/v1/devices/heartbeat`` answers: heartbeats are signed device messages now."""
    error = HeartbeatRefused(
        "token heartbeats are retired: devices send signed heartbeats to /api/v1/polling/messages",
        code="heartbeat_retired")
    error.http_status = 410  # type: ignore[attr-defined]
    return error


def sweep(election: Election, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-derive every branch's status; returns how many branches are in each status."""
    now = now or clock.now()  # the polling day's clock (a rehearsal's compressed one)
    heard = heard_by_branch(Q(election=election))
    current = dict(BranchNetwork.objects.filter(branch__election=election).values_list("branch_id", "status"))
    open_ids = set(OutageIncident.objects.filter(branch__election=election, closed_at__isnull=True)
                   .values_list("branch_id", flat=True))
    counts = {s.value: 0 for s in NetStatus}
    changes = []
    for branch in Branch.objects.filter(election=election, id__in=set(heard) | set(current)):
        devices = heard.get(branch.id, [])
        status = _status(devices, now)
        counts[status.value] += 1
        if current.get(branch.id) != status.value or (status == NetStatus.OFFLINE) != (branch.id in open_ids):
            changes.append((branch, status, max((t for t, _ in devices if t), default=None)))
    # Only the branches whose status changed are written, in one transaction (one commit).
    with transaction.atomic():
        for branch, status, last_heard in changes:
            _update(branch, status, now, last_heard)
        BranchNetwork.objects.filter(branch__election=election).update(checked_at=now)
    return counts
