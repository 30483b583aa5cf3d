"""Read-only admin views: results change only through the certification actions and intake."""

from django.contrib import admin

from entekhab.hq.results.models import CountedReport, ReportConflict, ResultVersion, TurnoutAnnouncement
from entekhab.hq.web.display import jalali_datetime


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ResultVersion)
class ResultVersionAdmin(ReadOnlyAdmin):
    list_display = ("contest", "version", "state", "provisional", jalali_datetime("computed_at"), "sha256")
    list_filter = ("state", "contest__election")
    exclude = ("document",)


@admin.register(TurnoutAnnouncement)
class TurnoutAnnouncementAdmin(ReadOnlyAdmin):
    list_display = ("election", jalali_datetime("slot"), "checkins", "eligible_estimate", "sha256")


@admin.register(CountedReport)
class CountedReportAdmin(ReadOnlyAdmin):
    list_display = ("branch", "ballots", "sha256", jalali_datetime("absorbed_at"))
    search_fields = ("branch__code",)


@admin.register(ReportConflict)
class ReportConflictAdmin(ReadOnlyAdmin):
    list_display = ("branch", "reason", jalali_datetime("noted_at"))
