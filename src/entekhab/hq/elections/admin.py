from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.models import (
    BallotStyle,
    Branch,
    Contest,
    CouncilSizeRule,
    Election,
    PollExtension,
)
from entekhab.hq.web.display import localise_date, persian_number
from entekhab.hq.web.forms import JalaliDateField


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits are state changes by a person: each one writes an audit event."""

    def save_model(self, request, obj, form, change):
        before = {k: str(form.initial.get(k)) for k in form.changed_data} if change else None
        super().save_model(request, obj, form, change)
        record(
            actor=request.user,
            action=Event.ADMIN_CHANGE if change else Event.ADMIN_ADD,
            target=obj,
            before=before,
            after={k: str(form.cleaned_data.get(k)) for k in form.changed_data},
        )

    def delete_model(self, request, obj):
        record(actor=request.user, action=Event.ADMIN_DELETE, target=obj, before={"repr": str(obj)})
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows changed only by ``do_*`` actions (or derived, or history): the back office shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FrozenAfterDraft:
    """Editable while the election is a draft; afterwards every field is read-only."""

    def _election_of(self, obj):
        return obj if isinstance(obj, Election) else getattr(obj, "election", None)

    def get_readonly_fields(self, request, obj=None):
        election = self._election_of(obj) if obj is not None else None
        if election is not None and election.state != ElectionState.DRAFT:
            return [f.name for f in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        election = self._election_of(obj) if obj is not None else None
        if election is not None and election.state != ElectionState.DRAFT:
            return False
        return super().has_delete_permission(request, obj)


class ElectionForm(forms.ModelForm):
    polling_date = JalaliDateField(label=_("polling date"))

    class Meta:
        model = Election
        fields = "__all__"


class PollExtensionInline(admin.TabularInline):
    model = PollExtension
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Election)
class ElectionAdmin(FrozenAfterDraft, AuditedAdmin):
    form = ElectionForm
    list_display = ("code", "name_fa", "name_en", "polling_date_display", "state")
    readonly_fields = ("state",)
    inlines = [PollExtensionInline]

    @admin.display(description=_("polling date"), ordering="polling_date")
    def polling_date_display(self, obj):
        return obj.polling_date_display


@admin.register(Contest)
class ContestAdmin(ReadOnlyAdmin):
    """Seats, method and area change only through ``do_update_contest`` (frozen once lists are final)."""

    list_display = ("code", "name_fa", "office", "method", "seats", "alternates", "is_by_election")
    list_filter = ("election", "office", "method", "is_by_election")
    search_fields = ("code", "name_fa", "name_en")
    raw_id_fields = ("area",)


@admin.register(Branch)
class BranchAdmin(FrozenAfterDraft, AuditedAdmin):
    list_display = (
        "code",
        "number",
        "area",
        "venue_type",
        "is_mobile",
        "is_urban",
        persian_number("eligible_estimate"),
        "ballot_style",
    )
    list_filter = ("election", "venue_type", "is_mobile", "is_urban")
    search_fields = ("code", "venue_name", "address")
    raw_id_fields = ("area",)
    readonly_fields = ("ballot_style",)
    list_select_related = ("area", "ballot_style")


@admin.register(BallotStyle)
class BallotStyleAdmin(admin.ModelAdmin):
    list_display = ("code", "election")
    filter_horizontal = ("contests",)

    def has_add_permission(self, request):
        return False  # computed from the contests' areas, never typed in


@admin.register(CouncilSizeRule)
class CouncilSizeRuleAdmin(AuditedAdmin):
    list_display = ("settlement", "min_population", "max_population", "seats", "alternates", "source")


@admin.register(PollExtension)
class PollExtensionAdmin(AuditedAdmin):
    """An extension is added through ``do_extend_polling`` (only while polling); none is edited."""

    list_display = ("election", "until_display", "extended_by", "reason")
    fields = ("election", "until", "reason")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from entekhab.hq.elections.actions import do_extend_polling

        saved = do_extend_polling(obj.election, obj.until, acting_user=request.user, reason=obj.reason)
        obj.pk = saved.pk

    @admin.display(description=_("extended until"), ordering="until")
    def until_display(self, obj):
        return localise_date(obj.until)
