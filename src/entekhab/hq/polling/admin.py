"""Read-only back-office views for the boards: devices, openings, reports, incidents, check-ins.

Everything here is written by signed device messages or by ``do_*`` actions; the admin
only shows it (no add, change or delete), so the record stays what the devices sent.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from entekhab.hq.polling.models import (
    BranchOpening,
    BranchReport,
    CheckIn,
    DeviceEnrolment,
    Incident,
    OfflineWindow,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeviceEnrolment)
class DeviceEnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("serial", "branch", "role", "state", "enrolled_at")
    list_filter = ("role", "state")
    search_fields = ("serial", "branch__code")
    exclude = ("code_hash",)


@admin.register(BranchOpening)
class BranchOpeningAdmin(ReadOnlyAdmin):
    list_display = ("branch", "state", "opened_at", "manifest_sha256")
    list_filter = ("state",)


@admin.register(BranchReport)
class BranchReportAdmin(ReadOnlyAdmin):
    list_display = ("branch", "source", "ballots", "checkins", "received_at", "pdf")
    list_filter = ("source",)
    search_fields = ("branch__code", "sha256")
    exclude = ("document",)

    @admin.display(description=_("report (PDF)"))
    def pdf(self, obj):
        if obj.source != "electronic":
            return "—"
        return format_html('<a href="/polling/reports/{}/{}.pdf">PDF</a>', obj.branch.election.code, obj.branch.code)


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Read-only: the steps are taken on the incident pages (``polling:incident``), through the workflow."""

    list_display = ("kind", "branch", "summary_fa", "status", "assigned_to", "created_at")
    list_filter = ("status", "kind", "assigned_to")
    search_fields = ("branch__code", "summary_fa", "summary_en")


@admin.register(OfflineWindow)
class OfflineWindowAdmin(ReadOnlyAdmin):
    list_display = ("branch", "device", "started_at", "ended_at", "checkins")
    search_fields = ("branch__code", "device__serial")


# How a voter's fingerprint was settled, stored as a code the devices send.
FINGERPRINT = {"matched": _("fingerprint matched"), "released": _("released by the branch head")}


class FingerprintFilter(admin.SimpleListFilter):
    title = _("fingerprint")
    parameter_name = "fingerprint"

    def lookups(self, request, model_admin):
        return list(FINGERPRINT.items())

    def queryset(self, request, queryset):
        return queryset.filter(fingerprint=self.value()) if self.value() else queryset


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ("masked_code", "branch", "at", "offline", "fingerprint_shown")
    list_filter = ("offline", FingerprintFilter)
    search_fields = ("national_code",)
    readonly_fields = ("fingerprint_shown",)
    exclude = ("fingerprint",)

    @admin.display(description=_("fingerprint"), ordering="fingerprint")
    def fingerprint_shown(self, obj):
        return FINGERPRINT.get(obj.fingerprint, obj.fingerprint)

    @admin.display(description=_("national code"))
    def masked_code(self, obj):
        return f"{obj.national_code[:3]}…{obj.national_code[-1]}"
