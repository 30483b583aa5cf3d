"""The county headquarters: committees, their members, decrees, meetings and action items."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.jalali import format_datetime_fa
from entekhab.domain.lifecycle import Lifecycle, moves_of
from entekhab.domain.readiness import BODY_FA
from entekhab.i18n import N_, Catalogued, en_fa


class CommitteeKind(models.TextChoices):
    SECURITY = "security", _("security")
    LAW_ENFORCEMENT = "law_enforcement", _("law enforcement")
    SUPPORT = "support", _("support")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    EDUCATION = "education", _("education")
    MEDIA = "media", _("media")
    NETWORK_SECURITY = "network_security", _("network security")
    OTHER = "other", _("other (added by the HQ)")


class Committee(models.Model):
    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="committees",
                                 verbose_name=_("election"))
    kind = models.CharField(_("kind"), max_length=20, choices=CommitteeKind.choices)
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["election", "kind", "name_fa"]
        constraints = [models.UniqueConstraint(fields=["election", "name_fa"], name="committee_name_unique")]

    def __str__(self) -> str:
        return self.name_fa


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members",
                                  verbose_name=_("committee"))
    full_name = models.CharField(_("full name"), max_length=150)
    title = models.CharField(_("title"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    is_head = models.BooleanField(_("head"), default=False)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "-is_head", "full_name"]
        constraints = [models.UniqueConstraint(fields=["committee"], condition=models.Q(is_head=True),
                                               name="one_head_per_committee")]

    def __str__(self) -> str:
        return self.full_name


class Decree(models.Model):
    """A decree (*hokm*) appointing a person to a role, printable as PDF."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="decrees",
                                 verbose_name=_("election"))
    number = models.CharField(_("number"), max_length=40)
    issued_on = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=150)
    issuer_title = models.CharField(_("issuer's title"), max_length=150)
    appointee = models.CharField(_("appointee"), max_length=150)
    role = models.CharField(_("role"), max_length=200)
    committee = models.ForeignKey(Committee, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="decrees", verbose_name=_("committee"))
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decree")
        verbose_name_plural = _("decrees")
        ordering = ["election", "issued_on", "number"]
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="decree_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}: {self.appointee}"


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings",
                                  verbose_name=_("committee"))
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(CommitteeMember, blank=True, related_name="meetings",
                                       verbose_name=_("attendees"))
    resolutions = models.TextField(_("resolutions"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.committee} {format_datetime_fa(self.held_at)}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


ACTION_STATUS_FA = Catalogued("action status", {
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
})

# The action item lifecycle: target → (allowed sources, permission codename).
ACTION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "in_progress": (frozenset({"open", "done"}), "change_actionitem"),
    "done": (frozenset({"open", "in_progress"}), "change_actionitem"),
    "cancelled": (frozenset({"open", "in_progress"}), "cancel_actionitem"),
}

ACTION_ITEM = Lifecycle(*en_fa("action item"), ActionStatus,
                        moves_of(((ActionStatus(s) for s in sources), ActionStatus(t))
                                 for t, (sources, _) in ACTION_TRANSITIONS.items()),
                        {ActionStatus(k): v for k, v in ACTION_STATUS_FA.items()})

BODY_CHOICES = [(k.value, v) for k, v in BODY_FA.items()]


class ActionItem(models.Model):
    """Something the HQ decided someone must do by a date; the owner is a person or a body."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="action_items",
                                 verbose_name=_("election"))
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="action_items", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=300)
    owner_person = models.CharField(_("owner (person)"), max_length=150, blank=True)
    owner_body = models.CharField(_("owner (body)"), max_length=20, choices=BODY_CHOICES, blank=True)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        permissions = [("cancel_actionitem", "Can cancel an action item")]
        constraints = [models.CheckConstraint(condition=~models.Q(owner_person="", owner_body=""),
                                              name="action_item_has_owner")]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_display(self) -> str:
        return self.owner_person or BODY_FA.get(self.owner_body, self.owner_body)  # type: ignore[call-overload]

    @property
    def status_fa(self) -> str:
        return ACTION_STATUS_FA[self.status]
