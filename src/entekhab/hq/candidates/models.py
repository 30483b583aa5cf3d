"""Candidates and lists: registrations, eligibility rules, vetting, parties, lists, codes, manifests.

The pure rules live in ``entekhab.domain.eligibility``, ``vetting`` and ``check_codes``;
these models store their inputs and outcomes. Invariants the database itself keeps:
one registration per person per election, one list per candidate, one owner per
ballot code in an election, one current manifest per ballot style.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from entekhab.domain.eligibility import DEGREE_NAMES, Degree, Office, Rule, RuleKind, Sex
from entekhab.domain.lifecycle import Lifecycle
from entekhab.domain.vetting import STATE_NAMES, Stage, VettingState
from entekhab.hq.elections.models import BallotStyle, Contest, Election
from entekhab.hq.geography.models import Area
from entekhab.hq.web.display import code_label
from entekhab.i18n import both, pgettext_in


def _bilingual(fa: str, en: str) -> str:
    return en if get_language() == "en" else fa


class EligibilityRule(models.Model):
    """One version of one rule of an office's rule set; seeded from ``DEFAULT_RULES``.

    Editing a rule adds a row with the next version and deactivates the old one, so
    a registration's recorded rule versions always point to the text it was judged by.
    """

    office = models.CharField(_("office"), max_length=20, choices=[(o.value, o.value) for o in Office])
    code = models.SlugField(_("rule"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=[(k.value, k.value) for k in RuleKind])
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    legal_ref = models.CharField(_("legal reference"), max_length=300)
    message_fa = models.TextField(_("Persian message"))
    message_en = models.TextField(_("English message"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        ordering = ["office", "position", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code", "version"], name="rule_version_unique"),
            models.UniqueConstraint(fields=["office", "code"], condition=Q(is_active=True),
                                    name="rule_one_active_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_office_display()} · {self.get_kind_display()} · {self.version}"

    def as_rule(self) -> Rule:
        return Rule(code=self.code, kind=self.kind, params=self.params or {}, legal_ref=self.legal_ref,
                    message_fa=self.message_fa, message_en=self.message_en, version=self.version)


class ContestCandidacy(models.Model):
    """A contest's registration window, vetting deadlines and list policy (dates are Tehran days).

    ``list_min_members`` is a policy: DOMAIN.md §3.1 leaves the minimum open (default 1).
    ``list_max_members`` defaults to the codes a ballot may hold.
    """

    contest = models.OneToOneField(Contest, on_delete=models.CASCADE, related_name="candidacy",
                                   verbose_name=_("contest"))
    registration_opens = models.DateField(_("registration opens"))
    registration_closes = models.DateField(_("registration closes"))
    review_deadline = models.DateField(_("executive board review deadline"))
    appeal_deadline = models.DateField(_("appeal deadline"))
    supervision_deadline = models.DateField(_("supervisory board deadline"))
    list_deadline = models.DateField(_("lists lock on"), null=True, blank=True)
    list_min_members = models.PositiveSmallIntegerField(_("fewest members on a list"), default=1)
    list_max_members = models.PositiveSmallIntegerField(_("most members on a list"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("candidates final at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contest candidacy schedule")
        verbose_name_plural = _("contest candidacy schedules")
        constraints = [
            models.CheckConstraint(condition=Q(registration_opens__lte=models.F("registration_closes")),
                                   name="candidacy_window_ordered"),
        ]

    def __str__(self) -> str:
        return str(self.contest)

    def deadlines(self) -> dict[Stage, dt.date | None]:
        return {Stage.REVIEW: self.review_deadline, Stage.APPEAL: self.appeal_deadline,
                Stage.SUPERVISION: self.supervision_deadline}

    @property
    def max_members(self) -> int:
        return self.list_max_members or self.contest.codes_allowed


class CodePolicy(models.Model):
    """The published seed and length of an election's ballot codes."""

    election = models.OneToOneField(Election, on_delete=models.CASCADE, related_name="code_policy",
                                    verbose_name=_("election"))
    seed = models.CharField(_("published seed"), max_length=200)
    base_digits = models.PositiveSmallIntegerField(_("digits before the check digit"), default=4)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("ballot code policy")
        verbose_name_plural = _("ballot code policies")

    def __str__(self) -> str:
        return str(self.election)


class DegreeChoice(models.IntegerChoices):
    NONE = Degree.NONE, DEGREE_NAMES[Degree.NONE][0]
    LITERACY = Degree.LITERACY, DEGREE_NAMES[Degree.LITERACY][0]
    DIPLOMA = Degree.DIPLOMA, DEGREE_NAMES[Degree.DIPLOMA][0]
    ASSOCIATE = Degree.ASSOCIATE, DEGREE_NAMES[Degree.ASSOCIATE][0]
    BACHELOR = Degree.BACHELOR, DEGREE_NAMES[Degree.BACHELOR][0]
    MASTER = Degree.MASTER, DEGREE_NAMES[Degree.MASTER][0]
    DOCTORATE = Degree.DOCTORATE, DEGREE_NAMES[Degree.DOCTORATE][0]


class Registration(models.Model):
    """A person's registration in one contest of an election, and (once approved) their candidacy."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="registrations",
                                 verbose_name=_("election"))
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="registrations",
                                verbose_name=_("contest"))
    tracking = models.CharField(_("tracking number"), max_length=20, unique=True)
    access_key_hash = models.CharField(max_length=64)
    national_code = models.CharField(_("national code"), max_length=10)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    name_en = models.CharField(_("name in Latin letters"), max_length=160, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(
        _("sex"), max_length=6, choices=[(Sex.MALE.value, _("male")), (Sex.FEMALE.value, _("female"))]
    )
    residence_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("residence"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    degree = models.PositiveSmallIntegerField(_("education"), choices=DegreeChoice.choices)
    field_of_study = models.CharField(_("field of study"), max_length=120, blank=True)
    veteran = models.BooleanField(_("veteran (isargar)"), default=False)
    occupation = models.CharField(_("occupation"), max_length=160)
    posts = models.JSONField(_("posts held"), default=list, blank=True)
    attestations = models.JSONField(_("attestations"), default=list, blank=True)
    certificate_number = models.CharField(_("criminal-record certificate number"), max_length=40)
    certificate_date = models.DateField(_("certificate issue date"))
    photo = models.BinaryField(_("photo"), null=True, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=[(s.value, STATE_NAMES[s][0]) for s in VettingState],
                             default=VettingState.REGISTERED.value, db_index=True)
    eligibility = models.JSONField(_("rules checked"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["election", "contest", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["election", "national_code"], name="one_registration_per_person"),
        ]
        indexes = [models.Index(fields=["contest", "state"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        fa = f"{self.first_name} {self.last_name}"
        return (self.name_en or fa) if get_language() == "en" else fa

    @property
    def state_display(self) -> str:
        return _bilingual(*STATE_NAMES[VettingState(self.state)])

    @property
    def degree_display(self) -> str:
        return _bilingual(*DEGREE_NAMES[Degree(self.degree)])

    @property
    def code(self) -> str | None:
        ballot_code = getattr(self, "ballot_code", None)
        return ballot_code.code if ballot_code else None


class InquiryBody(models.TextChoices):
    INTELLIGENCE = "intelligence", _("Ministry of Intelligence")
    POLICE = "police", _("Police (FARAJA)")
    JUDICIARY = "judiciary", _("Judiciary")
    CIVIL_REGISTRY = "civil_registry", _("Civil Registration Organisation")


class InquiryAnswer(models.TextChoices):
    CLEAR = "clear", _("no record")
    ADVERSE = "adverse", _("adverse record")


class VettingInquiry(models.Model):
    """The answer of one of the four bodies the executive board asks about a registrant."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="inquiries",
                                     verbose_name=_("registration"))
    body = models.CharField(_("body"), max_length=16, choices=InquiryBody.choices)
    answer = models.CharField(_("answer"), max_length=10, choices=InquiryAnswer.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("inquiry answer")
        verbose_name_plural = _("inquiry answers")
        constraints = [models.UniqueConstraint(fields=["registration", "body"], name="one_answer_per_body")]

    def __str__(self) -> str:
        return f"{self.registration_id} · {self.get_body_display()}: {self.get_answer_display()}"


class VettingStep(models.Model):
    """One transition of a registration (the audit chain holds the same, hash-linked)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="steps",
                                     verbose_name=_("registration"))
    action = models.CharField(_("action"), max_length=16)
    from_state = models.CharField(_("from"), max_length=16)
    to_state = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    actor_role = models.CharField(_("acting as"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("vetting step")
        verbose_name_plural = _("vetting steps")
        ordering = ["registration", "at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {code_label(self.from_state)} → {code_label(self.to_state)}"

    @property
    def from_display(self) -> str:
        return _bilingual(*STATE_NAMES[VettingState(self.from_state)])

    @property
    def to_display(self) -> str:
        return _bilingual(*STATE_NAMES[VettingState(self.to_state)])

    @property
    def role_display(self) -> str:
        return _bilingual(*ROLE_NAMES.get(self.actor_role, (self.actor_role, self.actor_role)))


ROLE_NAMES = {"executive_board": both("executive board"),
              "supervisory_board": both("supervisory board"),
              "hq_admin": both("HQ administrator"), "registrant": both("registrant")}


class PartyKind(models.TextChoices):
    PARTY = "party", _("party")
    FRONT = "front", _("front")
    COALITION = "coalition", _("coalition")


class Party(models.Model):
    """A party, front or coalition licensed by the Article 10 Commission."""

    name_fa = models.CharField(_("Persian name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PartyKind.choices, default=PartyKind.PARTY)
    license_number = models.CharField(_("Article 10 Commission licence"), max_length=40, unique=True)
    licensed_on = models.DateField(_("licensed on"))
    members = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="coalitions",
                                     verbose_name=_("member parties"))
    representatives = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="parties",
                                             verbose_name=_("representatives"))

    class Meta:
        verbose_name = _("party, front or coalition")
        verbose_name_plural = _("parties, fronts and coalitions")
        ordering = ["name_fa"]

    def __str__(self) -> str:
        return (self.name_en or self.name_fa) if get_language() == "en" else self.name_fa


class ListState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    LOCKED = "locked", _("locked")
    WITHDRAWN = "withdrawn", _("withdrawn")


# A draft is submitted by its party; at the list deadline a submitted list locks and a draft lapses.
LIST = Lifecycle("list", pgettext_in("fa", "lifecycle", "list"), ListState, {
    ListState.DRAFT: frozenset({ListState.SUBMITTED, ListState.WITHDRAWN}),
    ListState.SUBMITTED: frozenset({ListState.LOCKED}),
})


class CandidateList(models.Model):
    """A list (*fehrest*) that a party, front or coalition submits in a proportional contest."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="candidate_lists",
                                verbose_name=_("contest"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="lists", verbose_name=_("party"))
    ref = models.CharField(_("reference"), max_length=20, unique=True)
    title_fa = models.CharField(_("Persian title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ListState.choices, default=ListState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("registered by"))
    created_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("candidate list")
        verbose_name_plural = _("candidate lists")
        ordering = ["contest", "title_fa"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "party"], condition=~Q(state="withdrawn"),
                                    name="one_list_per_party_per_contest"),
        ]

    def __str__(self) -> str:
        return (self.title_en or self.title_fa) if get_language() == "en" else self.title_fa

    @property
    def code(self) -> str | None:
        ballot_code = getattr(self, "ballot_code", None)
        return ballot_code.code if ballot_code else None


class ListMembership(models.Model):
    """A candidate's place on a list; a registration is on at most one list (unique)."""

    candidate_list = models.ForeignKey(CandidateList, on_delete=models.CASCADE, related_name="memberships",
                                       verbose_name=_("list"))
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="membership",
                                        verbose_name=_("candidate"))
    position = models.PositiveSmallIntegerField(_("position"))
    confirmed_at = models.DateTimeField(_("confirmed by the candidate at"), null=True, blank=True)

    class Meta:
        verbose_name = _("list member")
        verbose_name_plural = _("list members")
        ordering = ["candidate_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["candidate_list", "position"], name="one_member_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_list_id}#{self.position}: {self.registration_id}"


class BallotCode(models.Model):
    """A typed code on the e-box: one owner (a candidate or a list) per code in an election."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballot_codes",
                                 verbose_name=_("election"))
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="ballot_codes",
                                verbose_name=_("contest"))
    code = models.CharField(_("code"), max_length=12)
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, null=True, blank=True,
                                        related_name="ballot_code")
    candidate_list = models.OneToOneField(CandidateList, on_delete=models.CASCADE, null=True, blank=True,
                                          related_name="ballot_code")
    assigned_at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("ballot code")
        verbose_name_plural = _("ballot codes")
        ordering = ["election", "code"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="ballot_code_unique_in_election"),
            models.CheckConstraint(
                condition=(Q(registration__isnull=False, candidate_list__isnull=True)
                           | Q(registration__isnull=True, candidate_list__isnull=False)),
                name="ballot_code_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class BallotManifest(models.Model):
    """One signed version of a ballot style's manifest: what devices load and the record publishes.

    ``canonical`` holds the exact signed bytes (UTF-8 text of canonical JSON); ``sha256``
    is their digest and ``signature`` the HQ's Ed25519 signature of them, both hex.
    A change makes a new version; older versions stay, marked superseded.
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballot_manifests",
                                 verbose_name=_("election"))
    ballot_style = models.ForeignKey(BallotStyle, on_delete=models.CASCADE, related_name="manifests",
                                     verbose_name=_("ballot style"))
    version = models.PositiveIntegerField(_("version"))
    canonical = models.TextField(_("canonical JSON"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    signature = models.CharField(_("Ed25519 signature"), max_length=128)
    public_key = models.CharField(_("HQ public key"), max_length=64)
    is_current = models.BooleanField(_("current"), default=True)
    created_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("ballot manifest")
        verbose_name_plural = _("ballot manifests")
        ordering = ["election", "ballot_style", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["ballot_style", "version"], name="manifest_version_unique"),
            models.UniqueConstraint(fields=["ballot_style"], condition=Q(is_current=True),
                                    name="one_current_manifest_per_style"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_style.code} v{self.version} {self.sha256[:12]}"

    @property
    def canonical_bytes(self) -> bytes:
        return self.canonical.encode("utf-8")

    def document(self) -> dict[str, Any]:
        from entekhab.records.manifest import load_document

        return load_document(self.canonical_bytes)

    def verify(self) -> dict[str, Any]:
        """The document, after checking hash and signature (raises on any mismatch)."""
        from entekhab.records.manifest import verify_manifest

        return verify_manifest(self.canonical_bytes, self.sha256, self.signature, self.public_key)

    def counting_manifest(self, contest_code: str):
        """The pure :class:`entekhab.counting.manifest.ContestManifest` of one contest."""
        from entekhab.records.manifest import counting_manifest

        return counting_manifest(self.verify(), contest_code)
