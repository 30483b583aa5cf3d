"""Network: each branch's links, its derived status, and outage incidents."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.readiness import BODY_FA, OPERATORS
from entekhab.i18n import N_, Catalogued


class LinkKind(models.TextChoices):
    FIBRE = "fibre", _("fibre")
    LANDLINE = "landline", _("landline (ADSL)")
    MOBILE = "mobile", _("mobile (4G)")
    SATELLITE = "satellite", _("satellite")


OPERATOR_CHOICES = [(o.value, BODY_FA[o]) for o in OPERATORS]


class Link(models.Model):
    branch = models.ForeignKey("elections.Branch", on_delete=models.CASCADE, related_name="links",
                               verbose_name=_("polling branch"))
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    operator = models.CharField(_("operator"), max_length=10, choices=OPERATOR_CHOICES)
    is_primary = models.BooleanField(_("primary"), default=False)
    signal_dbm = models.SmallIntegerField(_("measured signal (dBm)"), null=True, blank=True)

    class Meta:
        verbose_name = _("network link")
        verbose_name_plural = _("network links")
        ordering = ["branch", "-is_primary", "kind"]

    def __str__(self) -> str:
        return f"{self.branch} · {self.get_kind_display()} · {self.get_operator_display()}"


class NetStatus(models.TextChoices):
    ONLINE = "online", _("online")
    DEGRADED = "degraded", _("degraded")
    OFFLINE = "offline", _("offline")
    UNMONITORED = "unmonitored", _("no devices deployed")


NET_STATUS_FA = Catalogued("net status", {
    "online": N_("online"),
    "degraded": N_("degraded"),
    "offline": N_("offline"),
    "unmonitored": N_("unmonitored"),
})


class BranchNetwork(models.Model):
    branch = models.OneToOneField("elections.Branch", on_delete=models.CASCADE, related_name="network",
                                  verbose_name=_("polling branch"))
    status = models.CharField(_("status"), max_length=12, choices=NetStatus.choices,
                              default=NetStatus.UNMONITORED, db_index=True)
    since = models.DateTimeField(_("since"))
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("branch network status")
        verbose_name_plural = _("branch network statuses")

    def __str__(self) -> str:
        return f"{self.branch}: {self.status}"

    @property
    def status_fa(self) -> str:
        return NET_STATUS_FA[self.status]


class OutageIncident(models.Model):
    branch = models.ForeignKey("elections.Branch", on_delete=models.CASCADE, related_name="outages",
                               verbose_name=_("polling branch"))
    opened_at = models.DateTimeField(_("opened at"))
    last_heard_at = models.DateTimeField(_("last heard at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outage incident")
        verbose_name_plural = _("outage incidents")
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["branch"], condition=models.Q(closed_at__isnull=True),
                                               name="one_open_outage_per_branch")]

    def __str__(self) -> str:
        return f"{self.branch} {self.opened_at:%H:%M}"
