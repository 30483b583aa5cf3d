"""Signed heads of the audit chain: :func:`sign_head` and the document anyone can check.

The document is ``{"checkpoint": {format, events, last_event, digest, signed_at, public_key},
"signature"}``, the signature Ed25519 (HQ key) over the canonical JSON of ``checkpoint``:
the same helpers as the open data index (:mod:`entekhab.records.signing`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from entekhab.hq.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from entekhab.records.signing import SigningKey, load_hq_key, verify_document

CHECKPOINT_FORMAT = "entekhab/audit-head/1"


class AuditLogEmpty(Exception):
    """There is no event to sign a head over."""


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_body(cp: AuditCheckpoint) -> dict[str, Any]:
    return {"format": CHECKPOINT_FORMAT, "events": cp.events, "last_event": cp.last_event_id,
            "digest": cp.digest, "signed_at": _stamp(cp.signed_at), "public_key": cp.key_id}


def checkpoint_document(cp: AuditCheckpoint) -> dict[str, Any]:
    """The signed head as published (``audit-head.json``)."""
    return {"checkpoint": checkpoint_body(cp), "signature": cp.signature}


def signature_holds(body: dict[str, Any], signature: str, public_key: str) -> bool:
    try:
        verify_document(public_key, body, signature)
    except Exception:  # SignatureInvalid or a malformed key/signature: not valid either way
        return False
    return True


def sign_head(key: SigningKey | None = None) -> AuditCheckpoint:
    """Sign the chain's current head; joins the caller's transaction (certification calls it inside its own)."""
    if key is None:
        key = load_hq_key(settings.DATA_DIR)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        last = AuditEvent.objects.filter(digest=head.digest).first() if head else None
        if last is None:
            raise AuditLogEmpty("the audit log is empty: there is no head to sign")
        cp = AuditCheckpoint(events=AuditEvent.objects.filter(id__lte=last.id).count(), last_event_id=last.id,
                             digest=last.digest, signed_at=timezone.now(), key_id=key.public_hex, signature="")
        cp.signature = key.sign_document(checkpoint_body(cp))
        cp.save()
    return cp


def latest_checkpoint_document() -> dict[str, Any] | None:
    cp = AuditCheckpoint.objects.order_by("-id").first()
    return checkpoint_document(cp) if cp else None
