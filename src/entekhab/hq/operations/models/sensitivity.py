"""A branch's sensitivity: its facts, reasons and level (derived by ``domain.sensitivity``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.sensitivity import LEVEL_FA, REASON_FA, Level


class BranchSensitivity(models.Model):
    branch = models.OneToOneField("elections.Branch", on_delete=models.CASCADE, related_name="sensitivity",
                                  verbose_name=_("polling branch"))
    level = models.CharField(_("level"), max_length=10, choices=[(k.value, v) for k, v in LEVEL_FA.items()],
                             default=Level.NORMAL.value, db_index=True)
    reasons = models.JSONField(_("reasons"), default=list)
    past_incidents = models.PositiveSmallIntegerField(_("incidents in past elections"), default=0)
    past_eligible = models.PositiveIntegerField(_("eligible voters, last election"), null=True, blank=True)
    past_cast = models.PositiveIntegerField(_("ballots cast, last election"), null=True, blank=True)
    past_top_votes = models.PositiveIntegerField(_("top candidate's votes, last election"), null=True, blank=True)
    declared = models.JSONField(_("reasons declared by the HQ"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("branch sensitivity")
        verbose_name_plural = _("branch sensitivities")

    def __str__(self) -> str:
        return f"{self.branch}: {self.get_level_display()}"

    @property
    def level_fa(self) -> str:
        return LEVEL_FA[Level(self.level)]

    @property
    def reasons_fa(self) -> list[str]:
        from entekhab.domain.sensitivity import Reason

        return [REASON_FA[Reason(r)] for r in self.reasons]
