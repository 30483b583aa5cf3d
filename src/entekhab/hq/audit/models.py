"""The audit log: an append-only hash chain of every state change a person makes."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entekhab.domain.jalali import format_datetime_fa

GENESIS = "0" * 64


def event_payload(created_at, actor_name, action, target_type, target_id, before, after, reason, succeeded,
                  previous_digest) -> bytes:
    """The bytes an event's digest covers; one definition for writing and for verifying."""
    return json.dumps(
        {
            "created_at": created_at.isoformat(),
            "actor": actor_name,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "before": before,
            "after": after,
            "reason": reason,
            "succeeded": succeeded,
            "previous": previous_digest,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    ).encode()


# The columns event_payload takes, in its order (for a values_list() read without model instances).
PAYLOAD_FIELDS = ("created_at", "actor_name", "action", "target_type", "target_id", "before", "after", "reason",
                  "succeeded", "previous_digest")


class AuditEvent(models.Model):
    """Who did what, to which object, when and why; ``digest`` chains it to the previous event."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("actor"),
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80)
    target_id = models.CharField(_("object id"), max_length=80)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=True)
    previous_digest = models.CharField(max_length=64, unique=True)
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]

    def payload(self) -> bytes:
        """The canonical bytes the digest covers (time at microsecond, ISO UTC)."""
        return event_payload(self.created_at, self.actor_name, self.action, self.target_type, self.target_id,
                             self.before, self.after, self.reason, self.succeeded, self.previous_digest)

    def compute_digest(self) -> str:
        return hashlib.sha256(self.payload()).hexdigest()

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are append-only")

    def __str__(self) -> str:
        when = format_datetime_fa(self.created_at)
        return f"{when} · {self.action} · {self.target_type}:{self.target_id}"


class AuditHead(models.Model):
    """One row holding the chain's last digest; locking it serialises appends on PostgreSQL."""

    digest = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("audit chain head")


class AuditCheckpoint(models.Model):
    """A signed head: the chain's length, last event and digest at one moment, signed with the HQ key.

    A rewrite of any event at or before ``last_event_id`` changes that event's digest (or
    removes it, or changes the count), which the signature no longer matches. The latest
    checkpoint is published in the open data (``audit-head.json``), so whoever kept one
    can check a later chain against it without trusting HQ's database.
    """

    events = models.PositiveBigIntegerField(_("events"))
    last_event_id = models.BigIntegerField(_("last event"))
    digest = models.CharField(_("digest"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    key_id = models.CharField(_("public key"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        verbose_name = _("signed audit head")
        verbose_name_plural = _("signed audit heads")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.events} → {self.last_event_id} · {self.digest[:12]}"
