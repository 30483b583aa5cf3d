from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


class ElectionForm(forms.ModelForm):
    polling_date = JalaliDateField(label=_("polling date"))

    class Meta:
        model = Election
        fields = "__all__"


class PollExtensionInline(admin.TabularInline):
    model = PollExtension
    extra = 0


@admin.register(Election)
class ElectionAdmin(AuditedAdmin):
    form = ElectionForm
    list_display = ("code", "name_fa", "name_en", "polling_date_display", "state")
    readonly_fields = ("state",)
    inlines = [PollExtensionInline]

    @admin.display(description=_("polling date"), ordering="polling_date")
    def polling_date_display(self, obj):
        return obj.polling_date_display


@admin.register(Contest)
class ContestAdmin(AuditedAdmin):
    list_display = ("code", "name_fa", "office", "method", "seats", "alternates", "is_by_election")
    list_filter = ("election", "office", "method", "is_by_election")
    search_fields = ("code", "name_fa", "name_en")
    raw_id_fields = ("area",)


@admin.register(Branch)
class BranchAdmin(AuditedAdmin):
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
    list_display = ("election", "until_display", "extended_by", "reason")

    @admin.display(description=_("extended until"), ordering="until")
    def until_display(self, obj):
        return localise_date(obj.until)
