"""Branch inspections: one row per visit, one row per checklist item rated."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.jalali import format_jalali
from entekhab.domain.readiness import BODY_FA, CHECKLIST, RATING_FA, READINESS_FA, ItemRating, Readiness

ITEM_CHOICES = [(i.code, i.label_fa) for i in CHECKLIST]


class Inspection(models.Model):
    branch = models.ForeignKey("elections.Branch", on_delete=models.CASCADE, related_name="inspections",
                               verbose_name=_("polling branch"))
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.CharField(_("inspector"), max_length=150)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    # Follows from the ratings by ``domain.readiness.readiness``; kept for dashboards.
    readiness = models.CharField(_("readiness"), max_length=16,
                                 choices=[(r.value, v) for r, v in READINESS_FA.items()])
    notes = models.TextField(_("notes"), blank=True)
    # The branch's latest inspection (by date, then by order of recording) is the one that counts.
    is_latest = models.BooleanField(_("latest"), default=True, db_index=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["branch", "-inspected_on", "-id"]
        indexes = [models.Index(fields=["branch", "-inspected_on", "-id"])]

    def __str__(self) -> str:
        return f"{self.branch} {format_jalali(self.inspected_on)}"

    @property
    def readiness_fa(self) -> str:
        return READINESS_FA[Readiness(self.readiness)]


class InspectionItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=_("inspection"))
    code = models.CharField(_("checklist item"), max_length=30, choices=ITEM_CHOICES)
    rating = models.CharField(_("rating"), max_length=10, choices=[(k.value, v) for k, v in RATING_FA.items()])
    body = models.CharField(_("responsible body"), max_length=20, choices=[(k.value, v) for k, v in BODY_FA.items()])
    note = models.CharField(_("note"), max_length=500, blank=True)
    signal_dbm = models.SmallIntegerField(_("measured signal (dBm)"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="inspections/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        constraints = [models.UniqueConstraint(fields=["inspection", "code"], name="inspection_item_once")]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        item = next((i for i in CHECKLIST if i.code == self.code), None)
        name = self.code if item is None else (item.label_en if get_language() == "en" else item.label_fa)
        return f"{name}: {self.get_rating_display()}"

    def as_rating(self) -> ItemRating:
        from entekhab.domain.readiness import Body, Rating

        return ItemRating(self.code, Rating(self.rating), Body(self.body), self.note, self.signal_dbm)
