"""Signed device messages: authenticate the envelope, refuse replays, dispatch on the kind."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction

from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.accounts.guard import WrongState, check_state
from entekhab.hq.polling.actions.authenticate import _authenticate, _replay
from entekhab.hq.polling.actions.checkins import _checkin, _checkin_offline, _checkin_one_statement
from entekhab.hq.polling.actions.reports import _branch_info, _branch_open, _branch_report
from entekhab.hq.polling.clock import now as hq_now
from entekhab.hq.polling.errors import AlreadyVoted, ElectionNotPolling, PollingRefused, StaleHeartbeat
from entekhab.hq.polling.models import DeviceEnrolment, DeviceMessage
from entekhab.i18n import en_fa
from entekhab.records.errors import RecordError
from entekhab.records.messages import Envelope, HeartbeatMessage


def handle_message(payload: object) -> dict[str, Any]:
    """Authenticate, refuse replays, dispatch. Refusals raise; nothing of a refused message is kept."""
    device, envelope = _authenticate(payload)
    assert isinstance(payload, dict)
    signature = str(payload["signature"])
    if envelope.kind == "heartbeat":
        _gate(device, envelope.kind)
        return _heartbeat(device, envelope)
    # Check-ins skip this query: a replayed check-in fails on the (device, seq) constraint below.
    if (
        envelope.kind not in ("checkin", "checkin_offline")
        and DeviceMessage.objects.filter(device=device, seq=envelope.seq).exists()
    ):
        raise _replay(device, envelope.seq)
    handler = HANDLERS.get(envelope.kind)
    if handler is None:
        raise PollingRefused(
            "HQ does not take %(kind)s messages", params={"kind": envelope.kind}, code="bad_message"
        )
    _gate(device, envelope.kind)
    if envelope.kind == "checkin" and connection.vendor == "postgresql":
        accepted = _checkin_one_statement(device, envelope, signature)
        if accepted is not None:
            return accepted
    try:
        with transaction.atomic():
            answer = handler(device, envelope)
            DeviceMessage.objects.create(
                device=device,
                seq=envelope.seq,
                kind=envelope.kind,
                digest=envelope.digest,
                signature=signature,
                answer=answer,
                received_at=hq_now(),  # HQ's polling-day clock, as the check-in's own time
            )
    except IntegrityError as exc:
        if DeviceMessage.objects.filter(device=device, seq=envelope.seq).exists():
            raise _replay(device, envelope.seq) from exc
        raise
    if answer.get("status") == "refused":
        raise AlreadyVoted(answer["message"], answer["message_fa"])
    return answer



# The election states each kind of device message is taken in. Check-ins only while polling
# (a branch may open, with its zero report, once the election is ready); reports, offline
# batches and branch information also after the polls close, since a branch's report and its
# synced offline check-ins arrive after 18:00.
_E = ElectionState
MESSAGE_STATES: dict[str, frozenset[ElectionState]] = {
    "checkin": frozenset({_E.POLLING}),
    "branch_open": frozenset({_E.READY, _E.POLLING}),
    "checkin_offline": frozenset({_E.POLLING, _E.CLOSED}),
    "branch_report": frozenset({_E.POLLING, _E.CLOSED}),
    "branch_info": frozenset({_E.LISTS_FINAL, _E.READY, _E.POLLING, _E.CLOSED}),
    "heartbeat": frozenset({_E.LISTS_FINAL, _E.READY, _E.POLLING, _E.CLOSED}),
}


def _heartbeat(device: DeviceEnrolment, envelope: Envelope) -> dict[str, Any]:
    """Store the heartbeat on the enrolment if it is newer than the last one, then refresh the branch.

    The replay barrier is one conditional UPDATE (``heartbeat_seq < seq``): a replayed or older
    heartbeat changes no row and is refused, so two racing copies cannot both count. Heartbeats
    are not DeviceMessage rows: they are frequent (≈ 1,400 a device a day) and nothing counted
    depends on them. Limit: so the offline-claim window (``checkins``) does not see them either.
    """
    from entekhab.hq.operations.actions.network import note_heartbeat

    try:
        report = HeartbeatMessage.parse(envelope.body).document()
    except RecordError as exc:
        raise PollingRefused(exc.message_en, exc.message_fa, code="bad_heartbeat") from exc
    at = hq_now()
    with transaction.atomic():
        moved = DeviceEnrolment.objects.filter(pk=device.pk, heartbeat_seq__lt=envelope.seq).update(
            heartbeat_seq=envelope.seq, heartbeat_at=at, heartbeat=report)
        if not moved:
            last = DeviceEnrolment.objects.filter(pk=device.pk).values_list("heartbeat_seq", flat=True).first()
            raise StaleHeartbeat("heartbeat %(seq)s is not newer than heartbeat %(last)s already received",
                                 params={"seq": envelope.seq, "last": last})
        status = note_heartbeat(device.serial, device.branch, report, at)
    return {"status": "accepted", "seq": envelope.seq, "branch_status": status.value}


def _gate(device: DeviceEnrolment, kind: str) -> None:
    """The election state was read with the device (``_authenticate``): no query of its own."""
    try:
        check_state(device.election_state, MESSAGE_STATES[kind], *en_fa("a %(kind)s message", kind=kind))
    except WrongState as exc:
        raise ElectionNotPolling(exc.message_en, exc.message_fa) from exc


HANDLERS = {
    "checkin": _checkin,
    "checkin_offline": _checkin_offline,
    "branch_info": _branch_info,
    "branch_open": _branch_open,
    "branch_report": _branch_report,
}
