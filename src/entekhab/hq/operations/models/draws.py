"""A public draw as held: its published seed, its inputs and its result, so anyone can redo it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def draw_counts(inputs: dict, result: dict) -> dict[str, int]:
    return {"entrants": len(inputs["entrants"]), "slots": len(inputs["slots"]),
            "placed": len(result["placements"]), "reserves": len(result["reserves"]),
            "short": sum(s[2] for s in result["shortfalls"])}


class DrawSubject(models.TextChoices):
    DEVICES = "devices", _("devices")
    STAFF = "staff", _("staff")


class DrawStage(models.TextChoices):
    REGION = "region", _("to regions")
    BRANCH = "branch", _("to branches")


class Draw(models.Model):
    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="draws",
                                 verbose_name=_("election"))
    subject = models.CharField(_("subject"), max_length=10, choices=DrawSubject.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=DrawStage.choices)
    seed = models.CharField(_("published seed"), max_length=200)
    seed_commitment = models.CharField(_("seed commitment (SHA-256)"), max_length=64)
    label = models.CharField(_("stage label"), max_length=60)
    inputs = models.JSONField(_("entrants and slots"))  # published: people appear only by their pseudonyms
    inputs_sha256 = models.CharField(_("inputs digest (SHA-256)"), max_length=64, blank=True)
    # People behind the pseudonyms, never published: {"salt", "entrants": [[pseudonym, national code], …]}.
    roster = models.JSONField(_("private roster"), default=dict, blank=True)
    roster_digest = models.CharField(_("roster digest (SHA-256)"), max_length=64, blank=True)
    # Counts for listings, so a page of draws need not load inputs and results (≈ 10 MB each at Tehran scale).
    summary = models.JSONField(_("counts"), default=dict, blank=True)
    result = models.JSONField(_("result"))
    digest = models.CharField(_("result digest (SHA-256)"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn at"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("drawn by"))
    observers = models.TextField(_("observers present"), blank=True)

    class Meta:
        verbose_name = _("public draw")
        verbose_name_plural = _("public draws")
        ordering = ["drawn_at"]
        permissions = [("run_draw", "Can hold a public draw")]
        constraints = [models.UniqueConstraint(fields=["election", "subject", "stage"], name="one_draw_per_stage")]

    def counts(self) -> dict[str, int]:
        """Entrants, slots, placed, reserves and seats short: stored when held, else counted."""
        if self.summary:
            return self.summary
        return draw_counts(self.inputs, self.result)

    def __str__(self) -> str:
        return f"{self.subject}/{self.stage} ({self.digest[:12]})"
