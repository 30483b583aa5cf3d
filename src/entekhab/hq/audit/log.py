"""Writing and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from hashlib import sha256
from typing import Any

from django.db import transaction
from django.utils import timezone

from entekhab.hq.audit.events import Event, as_event
from entekhab.hq.audit.models import GENESIS, PAYLOAD_FIELDS, AuditCheckpoint, AuditEvent, AuditHead, event_payload


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


class Problem(StrEnum):
    LINK = "link"
    CONTENT = "content"
    TAIL_MISSING = "tail_missing"
    HEAD_MISSING = "head_missing"
    CHECKPOINT_SIGNATURE = "checkpoint_signature"
    CHECKPOINT_EVENT_MISSING = "checkpoint_event_missing"
    CHECKPOINT_DIGEST = "checkpoint_digest"
    CHECKPOINT_COUNT = "checkpoint_count"


@dataclass(frozen=True)
class ChainBreak:
    """One problem, at the first event it concerns; ``problem`` is the English text, ``kind`` its type."""

    event_id: int
    problem: str
    kind: Problem = Problem.CONTENT
    checkpoint: int | None = None


# What each kind of problem means, as a catalogue msgid (the Persian is in the .po file).
PROBLEM_TEXT: dict[Problem, str] = {
    Problem.LINK: "the link to the previous event is broken",
    Problem.CONTENT: "the content does not match its digest",
    Problem.TAIL_MISSING: "it is the last event present, but the chain head is later: the events after it are missing",
    Problem.HEAD_MISSING: "the chain head row is missing",
    Problem.CHECKPOINT_SIGNATURE: "a signed head does not verify under the HQ key",
    Problem.CHECKPOINT_EVENT_MISSING: "a signed head names this event, which is missing",
    Problem.CHECKPOINT_DIGEST: "its digest differs from the signed head's: the chain was rewritten at or before it",
    Problem.CHECKPOINT_COUNT: "the number of events up to it differs from the signed head's",
}

Progress = Callable[[int], None]  # events checked so far (called every CHUNK events)
CHUNK = 10_000


def verify_chain(*, public_key: str | None = None, progress: Progress | None = None,
                 heads: Iterable[dict] = ()) -> list[ChainBreak]:
    """Every problem with the chain, ordered by event id: an empty list means intact.

    Checks each link and digest, the chain's end against :class:`AuditHead` (a truncated
    tail), and every signed checkpoint, plus any signed ``heads`` kept outside HQ
    (``audit-head.json`` documents): a valid signature under the HQ public key, and an
    event at the checkpoint's last id with that digest and that many events up to it.
    """
    from entekhab.hq.audit.checkpoints import checkpoint_body, signature_holds

    if public_key is None:
        from django.conf import settings

        from entekhab.records.signing import load_hq_key

        public_key = load_hq_key(settings.DATA_DIR).public_hex
    wanted: dict[int, list[tuple[int | None, dict, str]]] = {}
    for cp in AuditCheckpoint.objects.order_by("id"):
        wanted.setdefault(cp.last_event_id, []).append((cp.id, checkpoint_body(cp), cp.signature))
    for doc in heads:
        body = dict(doc.get("checkpoint") or {})
        wanted.setdefault(int(body.get("last_event", 0)), []).append((None, body, str(doc.get("signature", ""))))
    breaks: list[ChainBreak] = []
    seen: dict[int, tuple[int, str]] = {}  # checkpointed event id -> (events up to it, digest)
    previous, last_id, count = GENESIS, 0, 0
    rows = AuditEvent.objects.order_by("id").values_list("id", "digest", *PAYLOAD_FIELDS)
    for event_id, digest, *fields in rows.iterator(chunk_size=CHUNK):
        count += 1
        if fields[-1] != previous:
            breaks.append(ChainBreak(event_id, "the link to the previous event is broken", Problem.LINK))
        if sha256(event_payload(*fields)).hexdigest() != digest:
            breaks.append(ChainBreak(event_id, "the content does not match its digest", Problem.CONTENT))
        if event_id in wanted:
            seen[event_id] = (count, digest)
        previous, last_id = digest, event_id
        if progress is not None and count % CHUNK == 0:
            progress(count)
    if progress is not None:
        progress(count)
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if count:
            breaks.append(ChainBreak(last_id, "the chain head row is missing", Problem.HEAD_MISSING))
    elif head.digest != previous:
        breaks.append(ChainBreak(
            last_id, f"event {last_id} is the last one present but the chain head is {head.digest[:16]}…: "
            "the events after it are missing", Problem.TAIL_MISSING))
    for event_id, checks in wanted.items():
        for cp_id, body, signature in checks:
            where = f"checkpoint {cp_id}" if cp_id is not None else "the head kept outside"
            if body.get("public_key") != public_key or not signature_holds(body, signature, public_key):
                breaks.append(ChainBreak(event_id, f"{where}: the signature does not verify under the HQ key",
                                         Problem.CHECKPOINT_SIGNATURE, cp_id))
                continue
            if event_id not in seen:
                breaks.append(ChainBreak(event_id, f"{where} signed event {event_id}, which is missing",
                                         Problem.CHECKPOINT_EVENT_MISSING, cp_id))
                continue
            n, digest = seen[event_id]
            if digest != body.get("digest"):
                breaks.append(ChainBreak(event_id, f"{where}: event {event_id} has another digest than the signed "
                                         "one: the chain was rewritten at or before it", Problem.CHECKPOINT_DIGEST,
                                         cp_id))
            elif n != body.get("events"):
                breaks.append(ChainBreak(event_id, f"{where}: {n} events up to event {event_id}, "
                                         f"{body.get('events')} signed", Problem.CHECKPOINT_COUNT, cp_id))
    return sorted(breaks, key=lambda b: b.event_id)
