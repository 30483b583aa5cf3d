"""Device inventory by serial: lifecycle state, where it is, its events and replacements.

The polling-day agent refers to devices by serial. Its signed heartbeats (``hq.polling``) are
mirrored here (``last_seen_at``, ``last_report``). The retired token heartbeat's
``token_hash`` is gone (``operations.0003``): a device proves itself by its enrolled key alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.device_lifecycle import KIND_FA, STATE_FA, DeviceKind, DeviceState

KIND_CHOICES = [(k.value, v) for k, v in KIND_FA.items()]
STATE_CHOICES = [(k.value, v) for k, v in STATE_FA.items()]


class Device(models.Model):
    serial = models.CharField(_("serial"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES, db_index=True)
    model_name = models.CharField(_("model"), max_length=80, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=STATE_CHOICES, default=DeviceState.RECEIVED.value,
                             db_index=True)
    batch = models.CharField(_("delivery batch"), max_length=40, blank=True, db_index=True)
    region = models.ForeignKey("geography.Area", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="devices", verbose_name=_("allocated region"))
    branch = models.ForeignKey("elections.Branch", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="devices", verbose_name=_("polling branch"))
    last_seen_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    last_report = models.JSONField(_("last heartbeat report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["serial"]
        permissions = [
            ("test_device", "Can record a device's first-level test"),
            ("allocate_device", "Can allocate devices"),
            ("deploy_device", "Can deploy a device to its branch"),
            ("operate_device", "Can put a device into service or report it faulty"),
            ("replace_device", "Can replace a faulty device"),
            ("return_device", "Can return a device"),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def kind_fa(self) -> str:
        return KIND_FA[DeviceKind(self.kind)]

    @property
    def state_fa(self) -> str:
        return STATE_FA[DeviceState(self.state)]


class DeviceLog(models.Model):
    """One event in a device's life: who, when, where, from which state to which."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="log", verbose_name=_("device"))
    event = models.CharField(_("event"), max_length=16)
    from_state = models.CharField(_("from"), max_length=12)
    to_state = models.CharField(_("to"), max_length=12)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                              verbose_name=_("who"))
    actor_name = models.CharField(_("who"), max_length=150)
    place = models.CharField(_("where"), max_length=120)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("device event")
        verbose_name_plural = _("device events")
        ordering = ["device", "at", "id"]

    def __str__(self) -> str:
        from django.utils.translation import gettext

        return f"{self.device} · {gettext(self.event)}"


class DeviceReplacement(models.Model):
    """A faulty unit replaced by a reserve; the faulty unit's journal moved to the new one."""

    faulty = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="replaced_by",
                                  verbose_name=_("faulty device"))
    replacement = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="replaces",
                                       verbose_name=_("replacement device"))
    branch = models.ForeignKey("elections.Branch", on_delete=models.CASCADE, related_name="replacements",
                               verbose_name=_("polling branch"))
    journal_entries = models.PositiveIntegerField(_("journal entries transferred"))
    journal_head = models.CharField(_("journal head digest"), max_length=64)
    transferred_at = models.DateTimeField(_("transferred at"))
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("transferred by"))
    witnesses = models.CharField(_("witnesses"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("device replacement")
        verbose_name_plural = _("device replacements")

    def __str__(self) -> str:
        return f"{self.faulty} → {self.replacement}"
