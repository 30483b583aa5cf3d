"""Back office for candidates: rules (edits become new versions), schedules, parties, lists; history read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from entekhab.domain.errors import DomainError
from entekhab.hq.candidates import actions
from entekhab.hq.candidates.forms import JalaliDateField
from entekhab.hq.candidates.models import (
    BallotCode,
    BallotManifest,
    CandidateList,
    CodePolicy,
    ContestCandidacy,
    EligibilityRule,
    ListMembership,
    Party,
    Registration,
    VettingInquiry,
    VettingStep,
)
from entekhab.hq.elections.admin import AuditedAdmin, ReadOnlyAdmin
from entekhab.hq.web.display import jalali_datetime, localise_date
from entekhab.i18n import gettext_in


def ballot_code():
    """The ballot code a list or candidate was given (a property, so Django has no label for it)."""

    @admin.display(description=_("ballot code"))
    def code(obj):
        return obj.code or "—"

    return code


class RuleForm(forms.ModelForm):
    reason = forms.CharField(label=_("reason"), required=False, max_length=2000)

    class Meta:
        model = EligibilityRule
        fields = ("office", "code", "kind", "params", "legal_ref", "message_fa", "message_en", "position", "is_active")

    def clean(self):
        data = super().clean()
        probe = EligibilityRule(office=self.instance.office, code=self.instance.code, kind=self.instance.kind)
        for k, v in data.items():
            if k != "reason":
                setattr(probe, k, v)
        try:
            probe.as_rule()
        except DomainError as exc:
            raise forms.ValidationError(exc.message_fa) from exc
        return data


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(AuditedAdmin):
    """An edit saves the next version; the old one stays, inactive, for registrations judged by it."""

    form = RuleForm
    list_display = ("office", "code", "version", "kind", "legal_ref", "is_active")
    list_filter = ("office", "is_active", "kind")

    def get_readonly_fields(self, request, obj=None):
        return ("office", "code", "kind") if obj else ()

    def get_fields(self, request, obj=None):
        """The edit's reason is asked of who may edit; a view-only page has nothing to show for it."""
        fields = super().get_fields(request, obj)
        return fields if self.has_change_permission(request, obj) else [f for f in fields if f != "reason"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        changes = {k: form.cleaned_data[k] for k in actions.RULE_EDITABLE if k in form.changed_data}
        old = EligibilityRule.objects.get(pk=obj.pk)
        new = actions.do_update_rule(old, changes, acting_user=request.user, reason=form.cleaned_data.get("reason", ""))
        obj.pk, obj.version = new.pk, new.version
        messages.info(request, f"v{new.version}")
        return None


class CandidacyForm(forms.ModelForm):
    registration_opens = JalaliDateField(label=_("registration opens"))
    registration_closes = JalaliDateField(label=_("registration closes"))
    review_deadline = JalaliDateField(label=_("executive board review deadline"))
    appeal_deadline = JalaliDateField(label=_("appeal deadline"))
    supervision_deadline = JalaliDateField(label=_("supervisory board deadline"))
    list_deadline = JalaliDateField(label=_("lists lock on"), required=False)

    class Meta:
        model = ContestCandidacy
        fields = ("contest", *actions.CANDIDACY_FIELDS)

    def clean(self):
        data = super().clean()
        keys = ("registration_opens", "registration_closes", "review_deadline", "appeal_deadline",
                "supervision_deadline")
        dates = [data.get(k) for k in keys]
        if all(dates) and dates != sorted(dates):
            raise forms.ValidationError(
                gettext_in(
                    "fa", "the dates must be in order: start ≤ end of registration ≤ vetting ≤ objections ≤ supervision"
                )
            )
        return data


@admin.register(ContestCandidacy)
class ContestCandidacyAdmin(AuditedAdmin):
    form = CandidacyForm
    list_display = ("contest", "opens", "closes", "list_min_members", "list_max_members", "finalised_at")
    readonly_fields = ("finalised_at",)
    raw_id_fields = ("contest",)
    actions = ["lock_lists", "finalise", "publish_manifests"]

    def save_model(self, request, obj, form, change):
        """Through ``do_set_candidacy``: the same checks (date order, list policy) and audit as the API."""
        values = {k: form.cleaned_data.get(k) for k in actions.CANDIDACY_FIELDS}
        values["list_min_members"] = values["list_min_members"] or 1
        saved = actions.do_set_candidacy(form.cleaned_data["contest"], values, acting_user=request.user)
        obj.pk = saved.pk

    def _each(self, request, queryset, run) -> None:
        for candidacy in queryset.select_related("contest"):
            try:
                done = run(candidacy.contest)
                messages.success(request, f"{candidacy.contest.code}: {done}")
            except DomainError as exc:
                messages.error(request, f"{candidacy.contest.code}: {exc.message_fa}")

    @admin.action(description=_("lock the lists (after their deadline)"))
    def lock_lists(self, request, queryset):
        self._each(request, queryset, lambda c: actions.do_lock_lists(c, acting_user=request.user))

    @admin.action(description=_("make the candidates final and draw their codes"))
    def finalise(self, request, queryset):
        self._each(request, queryset, lambda c: len(actions.do_finalise_contest(c, acting_user=request.user)))

    @admin.action(description=_("sign the ballot manifests of these contests' election"))
    def publish_manifests(self, request, queryset):
        for election in {c.contest.election for c in queryset.select_related("contest__election")}:
            try:
                made = actions.do_publish_manifests(election, acting_user=request.user)
                messages.success(request, f"{election.code}: {len(made)}")
            except DomainError as exc:
                messages.error(request, exc.message_fa)

    @admin.display(description=_("registration opens"), ordering="registration_opens")
    def opens(self, obj):
        return localise_date(obj.registration_opens)

    @admin.display(description=_("registration closes"), ordering="registration_closes")
    def closes(self, obj):
        return localise_date(obj.registration_closes)


@admin.register(CodePolicy)
class CodePolicyAdmin(ReadOnlyAdmin):
    list_display = ("election", "seed", "base_digits", jalali_datetime("published_at"))


class PartyForm(forms.ModelForm):
    licensed_on = JalaliDateField(label=_("licensed on"))

    class Meta:
        model = Party
        fields = "__all__"


@admin.register(Party)
class PartyAdmin(AuditedAdmin):
    form = PartyForm
    list_display = ("name_fa", "name_en", "kind", "license_number")
    list_filter = ("kind",)
    search_fields = ("name_fa", "name_en", "license_number")
    filter_horizontal = ("members", "representatives")


class MembershipInline(admin.TabularInline):
    model = ListMembership
    extra = 0
    raw_id_fields = ("registration",)
    readonly_fields = ("registration", "position", "confirmed_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CandidateList)
class CandidateListAdmin(ReadOnlyAdmin):
    list_display = ("title_fa", "contest", "party", "state", ballot_code())
    list_filter = ("state", "contest__election")
    search_fields = ("title_fa", "title_en", "ref")
    inlines = [MembershipInline]


class StepInline(admin.TabularInline):
    model = VettingStep
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_state", "to_state", "actor", "actor_role", "reason", "at")

    def has_add_permission(self, request, obj=None):
        return False


class InquiryInline(admin.TabularInline):
    model = VettingInquiry
    extra = 0
    can_delete = False
    readonly_fields = ("body", "answer", "note", "recorded_by", "recorded_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("tracking", "last_name", "first_name", "contest", "state", ballot_code())
    list_filter = ("state", "contest__office", "election")
    search_fields = ("tracking", "last_name", "first_name", "national_code")
    exclude = ("photo", "access_key_hash")
    inlines = [InquiryInline, StepInline]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("candidates.view_registration")


@admin.register(BallotCode)
class BallotCodeAdmin(ReadOnlyAdmin):
    list_display = ("code", "contest", "registration", "candidate_list")
    list_filter = ("election",)
    search_fields = ("code",)


@admin.register(BallotManifest)
class BallotManifestAdmin(ReadOnlyAdmin):
    list_display = ("ballot_style", "version", "sha256", "is_current", jalali_datetime("created_at"))
    list_filter = ("election", "is_current")
    exclude = ("canonical",)
