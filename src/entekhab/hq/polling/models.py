"""Polling day records at HQ.

Two families that must never meet: identity (``CheckIn``, ``DuplicateCheckIn``: who came,
where, when) and votes (``VoteRecord``: what a ballot said, with no time, no card, no
device sequence, stored in a shuffled order). ``CheckIn`` carries the database unique
constraint (election, national code) that makes double voting impossible online.

References between these records are RESTRICT, not PROTECT: a device, check-in or report
cannot be deleted on its own while something points at it, but deleting a whole election
(reloading the demo) takes them all together.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from entekhab.domain.lifecycle import Lifecycle
from entekhab.hq.elections.models import Branch, Election
from entekhab.i18n import en_fa


class DeviceRole(models.TextChoices):
    AUTH = "auth", _("authentication device")
    EBOX = "ebox", _("electronic ballot box")


class EnrolmentState(models.TextChoices):
    PENDING = "pending", _("waiting for the device")
    ACTIVE = "active", _("active")
    RETIRED = "retired", _("retired (replaced)")


# A code binds a device's key once; a replacement's binding retires the device it replaces.
ENROLMENT = Lifecycle(*en_fa("device enrolment"), EnrolmentState, {
    EnrolmentState.PENDING: frozenset({EnrolmentState.ACTIVE}),
    EnrolmentState.ACTIVE: frozenset({EnrolmentState.RETIRED}),
})


class DeviceEnrolment(models.Model):
    """A device key bound to a serial (the operations inventory's) and a branch, by a one-time code."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="device_enrolments",
                                 verbose_name=_("election"))
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="device_enrolments",
                               verbose_name=_("polling branch"))
    serial = models.CharField(_("serial"), max_length=40, db_index=True)
    role = models.CharField(_("role"), max_length=4, choices=DeviceRole.choices)
    state = models.CharField(_("state"), max_length=8, choices=EnrolmentState.choices,
                             default=EnrolmentState.PENDING)
    code_hash = models.CharField(_("one-time code (SHA-256)"), max_length=64)
    public_key = models.CharField(_("Ed25519 public key"), max_length=64, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.RESTRICT, null=True, blank=True,
                                 related_name="replaced_by", verbose_name=_("replaces"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    # The last signed heartbeat: its sequence number is the heartbeat replay barrier (a heartbeat
    # must be newer than it), so heartbeats need no DeviceMessage row each (≈ 1,400 a device a day).
    heartbeat_seq = models.BigIntegerField(_("last heartbeat sequence"), default=0)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    heartbeat = models.JSONField(_("last heartbeat report"), default=dict, blank=True)

    class Meta:
        verbose_name = _("device enrolment")
        verbose_name_plural = _("device enrolments")
        ordering = ["branch", "role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["public_key"], condition=~Q(public_key=""),
                                    name="enrolment_key_unique"),
            models.UniqueConstraint(fields=["election", "serial"], condition=~Q(state="retired"),
                                    name="enrolment_serial_live_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} → {self.branch.code} ({self.get_role_display()})"


class DeviceMessage(models.Model):
    """Every accepted signed message, by (device, sequence number): replays are recognised here."""

    device = models.ForeignKey(DeviceEnrolment, on_delete=models.CASCADE, related_name="messages")
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=20)
    digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)
    answer = models.JSONField(default=dict)
    # When HQ heard the device, on HQ's polling-day clock (``hq.polling.clock``: the real one in the field).
    received_at = models.DateTimeField(_("received at"), db_default=Now())

    class Meta:
        verbose_name = _("device message")
        verbose_name_plural = _("device messages")
        constraints = [models.UniqueConstraint(fields=["device", "seq"], name="device_message_seq_unique")]

    def __str__(self) -> str:
        return f"{self.device.serial} · {self.seq}"


class CheckIn(models.Model):
    """One voter, one check-in per election: the unique constraint is the double-voting barrier."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="checkins")
    national_code = models.CharField(_("national code"), max_length=10)
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="checkins")
    device = models.ForeignKey(DeviceEnrolment, on_delete=models.RESTRICT, related_name="checkins")
    message_seq = models.BigIntegerField()
    at = models.DateTimeField(_("checked in at"))
    offline = models.BooleanField(_("offline"), default=False)
    fingerprint = models.CharField(_("fingerprint"), max_length=10, default="matched")
    detail = models.JSONField(_("release or approval"), default=dict, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["election", "national_code"], name="one_checkin_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.national_code[:3]}…{self.national_code[-1]} · {self.branch.code}"


class DuplicateCheckIn(models.Model):
    """An offline check-in of a voter who already had one: kept whole, for the supervisory board."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="duplicate_checkins")
    national_code = models.CharField(_("national code"), max_length=10)
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="duplicate_checkins")
    device = models.ForeignKey(DeviceEnrolment, on_delete=models.RESTRICT, related_name="duplicate_checkins")
    message_seq = models.BigIntegerField()
    at = models.DateTimeField(_("checked in at"))
    detail = models.JSONField(default=dict, blank=True)
    first = models.ForeignKey(CheckIn, on_delete=models.RESTRICT, related_name="duplicates")

    class Meta:
        verbose_name = _("duplicate check-in")
        verbose_name_plural = _("duplicate check-ins")

    def __str__(self) -> str:
        return f"{self.national_code[:3]}…{self.national_code[-1]} · {self.branch.code}"


class OfflineWindow(models.Model):
    """A stretch of time in which a device checked voters in offline, built as its offline check-ins sync.

    Check-ins less than ``policy.OFFLINE_WINDOW_GAP`` apart extend one window; the times are the
    device's claimed ones (each checked against polling hours and HQ's own record of the device).
    """

    device = models.ForeignKey(DeviceEnrolment, on_delete=models.RESTRICT, related_name="offline_windows",
                               verbose_name=_("device"))
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="offline_windows",
                               verbose_name=_("polling branch"))
    started_at = models.DateTimeField(_("offline from"))
    ended_at = models.DateTimeField(_("offline until"))
    checkins = models.PositiveIntegerField(_("offline check-ins"), default=0)

    class Meta:
        verbose_name = _("offline window")
        verbose_name_plural = _("offline windows")
        ordering = ["branch", "started_at"]

    def __str__(self) -> str:
        return f"{self.device.serial} {self.started_at:%H:%M}–{self.ended_at:%H:%M} ({self.checkins})"


class IncidentKind(models.TextChoices):
    DOUBLE_CHECKIN = "double_checkin", _("voter checked in twice (offline)")
    REPORT_REFUSED = "report_refused", _("branch report refused")
    PAPER_MISMATCH = "paper_mismatch", _("paper counts entered twice disagree")
    DEVICE_REPLACED = "device_replaced", _("device replaced during polling")
    CHECKIN_AFTER_CLOSE = "checkin_after_close", _("check-in attempted after the branch closed")
    EXCESS_BALLOTS = "excess_ballots", _("more ballots than accepted check-ins")
    OFFLINE_CLAIM_CONTRADICTED = "offline_contradicted", _("offline claim contradicted by HQ's record")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("open")
    ASSIGNED = "assigned", _("assigned")
    ESCALATED = "escalated", _("escalated to the supervisory board")
    RESOLVED = "resolved", _("resolved")


class IncidentBody(models.TextChoices):
    """Who an incident is assigned to; each body acts through its role (``actions/workflow.py``)."""

    EXECUTIVE = "executive_board", _("executive board")
    SUPERVISORY = "supervisory_board", _("supervisory board")
    HQ = "hq", _("election headquarters")


# An incident is assigned to a body, escalated to the supervisory board or resolved with a
# reason; resolved is final. Reassignment keeps the state (only the body changes).
INCIDENT = Lifecycle(*en_fa("polling incident"), IncidentStatus, {
    IncidentStatus.OPEN: frozenset({IncidentStatus.ASSIGNED, IncidentStatus.ESCALATED, IncidentStatus.RESOLVED}),
    IncidentStatus.ASSIGNED: frozenset({IncidentStatus.ESCALATED, IncidentStatus.RESOLVED}),
    IncidentStatus.ESCALATED: frozenset({IncidentStatus.ASSIGNED, IncidentStatus.RESOLVED}),
})


class Incident(models.Model):
    """A polling-day problem for the boards, with the records it concerns and where it stands.

    Each step (assigned, escalated, resolved, commented) is an audit event naming the person
    and the role they acted in: the audit chain is the incident's history.
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="polling_incidents")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="polling_incidents")
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    summary_fa = models.TextField(_("summary (Persian)"))
    summary_en = models.TextField(_("summary (English)"))
    details = models.JSONField(_("details"), default=dict)
    checkin = models.ForeignKey(CheckIn, on_delete=models.RESTRICT, null=True, blank=True, related_name="incidents")
    duplicate = models.OneToOneField(DuplicateCheckIn, on_delete=models.RESTRICT, null=True, blank=True,
                                     related_name="incident")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=IncidentStatus.choices,
                              default=IncidentStatus.OPEN)
    assigned_to = models.CharField(_("assigned to"), max_length=20, choices=IncidentBody.choices, blank=True)
    # Set by do_resolve_incident; a resolved excess unblocks certification (results/totals.py).
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True,
                                    related_name="+", verbose_name=_("resolved by"))
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("polling incident")
        verbose_name_plural = _("polling incidents")
        ordering = ["-created_at"]
        permissions = [
            ("assign_incident", "Can assign a polling incident to a body"),
            ("escalate_incident", "Can escalate a polling incident to the supervisory board"),
            ("resolve_incident", "Can resolve a polling incident"),
            ("comment_incident", "Can comment on a polling incident"),
        ]
        constraints = [
            models.CheckConstraint(
                name="incident_resolved_has_reason",
                condition=~Q(status="resolved") | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.branch.code}"


class BranchDayState(models.TextChoices):
    OPEN = "open", _("open")
    REPORTED = "reported", _("reported")


# A branch opens with its zero report and closes with one final report (electronic or paper).
BRANCH_DAY = Lifecycle(*en_fa("branch's polling day"), BranchDayState, {
    BranchDayState.OPEN: frozenset({BranchDayState.REPORTED}),
})


class BranchOpening(models.Model):
    """A branch opened in front of its officials: the e-box's signed zero report."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="opening")
    device = models.ForeignKey(DeviceEnrolment, on_delete=models.RESTRICT, related_name="openings")
    state = models.CharField(max_length=10, choices=BranchDayState.choices, default=BranchDayState.OPEN)
    manifest_sha256 = models.CharField(max_length=64)
    zero_report = models.JSONField()
    opened_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("branch opening")
        verbose_name_plural = _("branch openings")
        # The control room shows counts, never a voter: observers see it too (roles.py).
        permissions = [("view_control_room", "Can view the polling-day control room")]

    def __str__(self) -> str:
        return f"{self.branch.code} · {self.get_state_display()}"


class ReportSource(models.TextChoices):
    ELECTRONIC = "electronic", _("electronic ballot box")
    REPLACEMENT = "replacement", _("replacement e-box (took over a faulty one's journal)")
    PAPER = "paper", _("paper fallback (entered twice)")


class BranchReport(models.Model):
    """A verified branch report; its vote records hang off it in shuffled order."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="reports")
    device = models.ForeignKey(DeviceEnrolment, on_delete=models.RESTRICT, null=True, blank=True,
                               related_name="reports")
    source = models.CharField(max_length=12, choices=ReportSource.choices, default=ReportSource.ELECTRONIC)
    document = models.JSONField()
    sha256 = models.CharField(max_length=64, unique=True)
    ballots = models.PositiveIntegerField()
    checkins = models.PositiveIntegerField()
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("branch report")
        verbose_name_plural = _("branch reports")
        constraints = [
            models.UniqueConstraint(fields=["branch", "source"], name="one_report_per_branch_and_source"),
        ]

    def __str__(self) -> str:
        return f"{self.branch.code} · {self.get_source_display()}"


class VoteRecord(models.Model):
    """A cast vote record: the ballot and nothing else (no time, no card, no device sequence)."""

    report = models.ForeignKey(BranchReport, on_delete=models.CASCADE, related_name="vote_records")
    ballot = models.JSONField()

    class Meta:
        verbose_name = _("cast vote record")
        verbose_name_plural = _("cast vote records")

    def __str__(self) -> str:
        return str(self.report)


class PaperEntry(models.Model):
    """One official's entry of a branch's paper-ballot counts; two agreeing entries make a report."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="paper_entries")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    counts = models.JSONField()
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paper count entry")
        verbose_name_plural = _("paper count entries")
        constraints = [
            models.UniqueConstraint(fields=["branch", "entered_by"], name="paper_entry_once_per_official"),
        ]

    def __str__(self) -> str:
        return f"{self.branch.code} · {self.entered_by}"
