"""Signed device messages: authenticate the envelope, refuse replays, dispatch on the kind."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction

from entekhab.hq.polling.actions.authenticate import _authenticate, _replay
from entekhab.hq.polling.actions.checkins import _checkin, _checkin_offline, _checkin_one_statement
from entekhab.hq.polling.actions.reports import _branch_info, _branch_open, _branch_report
from entekhab.hq.polling.errors import AlreadyVoted, PollingRefused
from entekhab.hq.polling.models import DeviceMessage


def handle_message(payload: object) -> dict[str, Any]:
    """Authenticate, refuse replays, dispatch. Refusals raise; nothing of a refused message is kept."""
    device, envelope = _authenticate(payload)
    assert isinstance(payload, dict)
    signature = str(payload["signature"])
    # Check-ins skip this query: a replayed check-in fails on the (device, seq) constraint below.
    if (
        envelope.kind not in ("checkin", "checkin_offline")
        and DeviceMessage.objects.filter(device=device, seq=envelope.seq).exists()
    ):
        raise _replay(device, envelope.seq)
    handler = HANDLERS.get(envelope.kind)
    if handler is None:
        raise PollingRefused(
            f"HQ does not take {envelope.kind} messages", "ستاد این نوع پیام را نمی‌پذیرد", code="bad_message"
        )
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
            )
    except IntegrityError as exc:
        if DeviceMessage.objects.filter(device=device, seq=envelope.seq).exists():
            raise _replay(device, envelope.seq) from exc
        raise
    if answer.get("status") == "refused":
        raise AlreadyVoted(answer["message"], answer["message_fa"])
    return answer



HANDLERS = {
    "checkin": _checkin,
    "checkin_offline": _checkin_offline,
    "branch_info": _branch_info,
    "branch_open": _branch_open,
    "branch_report": _branch_report,
}
