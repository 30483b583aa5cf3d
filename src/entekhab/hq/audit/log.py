"""Writing and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from entekhab.hq.audit.events import Event, as_event
from entekhab.hq.audit.models import GENESIS, AuditEvent, AuditHead


def record(
    *,
    actor: Any,
    action: Event,
    target: Any = None,
    target_type: str | None = None,
    target_id: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    succeeded: bool = True,
) -> AuditEvent:
    """Append one event; call inside the transaction that makes the change.

    The chain head row is locked (``select_for_update``) so that two concurrent
    writers cannot both chain onto the same predecessor; a unique constraint on
    ``previous_digest`` would refuse a fork anyway. ``action`` must be an :class:`Event`
    (a plain string is accepted only when it is one of the values; anything else is a TypeError).
    """
    action = as_event(action)
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            created_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=getattr(actor, "username", None) or str(actor or "system"),
            action=action.value,
            target_type=target_type or (target._meta.label if target is not None else ""),
            target_id=target_id or (str(target.pk) if target is not None else ""),
            before=before,
            after=after,
            reason=reason,
            succeeded=succeeded,
            previous_digest=head.digest,
        )
        event.digest = event.compute_digest()
        event.save()
        head.digest = event.digest
        head.save(update_fields=["digest"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def verify_chain() -> list[ChainBreak]:
    """Every event whose digest or link does not match: an empty list means intact."""
    breaks: list[ChainBreak] = []
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator():
        if event.previous_digest != previous:
            breaks.append(ChainBreak(event.id, "link to the previous event is broken"))
        if event.compute_digest() != event.digest:
            breaks.append(ChainBreak(event.id, "content does not match its digest"))
        previous = event.digest
    return breaks
