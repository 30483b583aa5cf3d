"""Totals as reports arrive, result versions under certification, official turnout figures.

* ``CountedReport``: a branch report absorbed into the running totals, one per branch
  (the database refuses a second); ``ReportConflict``: another report for a branch
  already counted, set aside for the supervisory board (never added silently).
* ``ContestTotal`` / ``AreaTotal``: the running sums, updated in the same transaction
  as the ``CountedReport`` rows, so they always equal the counted reports' sum (a check
  recomputes them from the stored reports).
* ``ResultVersion``: one computed result of a contest with its lifecycle
  (``entekhab.publication.certification``); once published it is never changed.
* ``TurnoutAnnouncement``: an official two-hourly turnout figure, frozen when announced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.errors import DomainError
from entekhab.domain.jalali import format_datetime_fa
from entekhab.hq.elections.models import Branch, Contest, Election
from entekhab.hq.geography.models import Area
from entekhab.publication.certification import ResultState


class Immutable(DomainError):
    code = "immutable"


class CountedReport(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="counted_reports")
    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="counted_report")
    report = models.OneToOneField("polling.BranchReport", on_delete=models.PROTECT, related_name="counted")
    sha256 = models.CharField(max_length=64)
    ballots = models.PositiveIntegerField()
    absorbed_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("counted branch report")
        verbose_name_plural = _("counted branch reports")
        ordering = ["absorbed_at", "id"]

    def __str__(self) -> str:
        return str(self.report)


class ReportConflict(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="report_conflicts")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="report_conflicts")
    report = models.OneToOneField("polling.BranchReport", on_delete=models.PROTECT, related_name="conflict")
    reason = models.CharField(max_length=200)
    noted_at = models.DateTimeField(_("noted at"))

    class Meta:
        verbose_name = _("branch report set aside")
        verbose_name_plural = _("branch reports set aside")

    def __str__(self) -> str:
        return str(self.report)


class TallyFields(models.Model):
    branches = models.PositiveIntegerField(_("branches reported"), default=0)
    ballots = models.PositiveBigIntegerField(_("ballots"), default=0)
    blank = models.PositiveBigIntegerField(_("blank ballots"), default=0)
    candidate_votes = models.PositiveBigIntegerField(_("candidate-votes"), default=0)
    lists = models.JSONField(default=dict)
    candidates = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ContestTotal(TallyFields):
    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="running_total")

    class Meta:
        verbose_name = _("running contest total")
        verbose_name_plural = _("running contest totals")

    def __str__(self) -> str:
        return self.contest.code


class AreaTotal(TallyFields):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="area_totals")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("running area total")
        verbose_name_plural = _("running area totals")
        constraints = [models.UniqueConstraint(fields=["contest", "area"], name="area_total_unique")]

    def __str__(self) -> str:
        return f"{self.contest.code} · {self.area.code}"


class ResultVersion(models.Model):
    """A contest's computed result; the certification steps move it, publication freezes it."""

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="result_versions")
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=[(s.value, s.value) for s in ResultState],
                             default=ResultState.COMPUTED.value)
    provisional = models.BooleanField(_("reports incomplete"), default=True)
    document = models.JSONField(_("result"))  # the contest entry of results.json
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+")
    computed_at = models.DateTimeField(_("computed at"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(blank=True)
    # Branches whose ballots exceeded their accepted check-ins when this version was computed.
    excess = models.JSONField(_("ballots above check-ins"), default=list, blank=True)
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="superseded_by")

    class Meta:
        verbose_name = _("result version")
        verbose_name_plural = _("result versions")
        ordering = ["contest", "-version"]
        constraints = [models.UniqueConstraint(fields=["contest", "version"], name="result_version_unique")]
        permissions = [
            ("approve_resultversion", "Approve a result (executive board)"),
            ("confirm_resultversion", "Confirm or return a result (supervisory board)"),
        ]

    def __str__(self) -> str:
        return f"{self.contest.code} · {self.version} ({self.get_state_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = ResultVersion.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored in (ResultState.PUBLISHED, ResultState.RETURNED):
                raise Immutable(
                    "result %(self)s is %(stored)s and cannot be changed", params={"self": self, "stored": stored}
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Immutable("a result version is never deleted")


class TurnoutAnnouncement(models.Model):
    """An official turnout figure as announced at ``slot``; frozen (never changed, never deleted)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="turnout_announcements")
    slot = models.DateTimeField(_("figure as of"))
    checkins = models.PositiveBigIntegerField(_("voters checked in"))
    eligible_estimate = models.PositiveBigIntegerField(_("estimated eligible voters"))
    figures = models.JSONField(_("figures by area"))
    sha256 = models.CharField(max_length=64)
    announced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     related_name="+")
    announced_at = models.DateTimeField(_("announced at"))

    class Meta:
        verbose_name = _("official turnout figure")
        verbose_name_plural = _("official turnout figures")
        ordering = ["election", "slot"]
        constraints = [models.UniqueConstraint(fields=["election", "slot"], name="turnout_slot_unique")]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise Immutable("an announced turnout figure cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Immutable("an announced turnout figure cannot be deleted")

    def __str__(self) -> str:
        return f"{self.election} · {format_datetime_fa(self.slot)}"
