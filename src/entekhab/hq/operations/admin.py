"""Persian back office for operations: browse everything; lifecycle changes go through the actions."""

from django.contrib import admin

from entekhab.hq.elections.admin import AuditedAdmin, ReadOnlyAdmin
from entekhab.hq.operations.models import (
    ActionItem,
    BranchNetwork,
    BranchSensitivity,
    Committee,
    CommitteeMember,
    Course,
    Decree,
    Device,
    DeviceLog,
    DeviceReplacement,
    Draw,
    Inspection,
    InspectionItem,
    Link,
    Meeting,
    OutageIncident,
    Person,
    StaffAssignment,
    TrainingClass,
)
from entekhab.hq.web.display import jalali_datetime


class MemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ("name_fa", "kind", "election")
    list_filter = ("kind",)
    inlines = [MemberInline]


@admin.register(Decree)
class DecreeAdmin(ReadOnlyAdmin):
    list_display = ("number", "appointee", "role", jalali_datetime("issued_on"))
    search_fields = ("number", "appointee", "role")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("committee", jalali_datetime("held_at"), "place")


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner_person", "owner_body", jalali_datetime("due_on"), "status")
    list_filter = ("status", "owner_body")
    readonly_fields = ("status",)


ReadOnly = ReadOnlyAdmin


class InspectionItemInline(admin.TabularInline):
    model = InspectionItem
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = ("branch", jalali_datetime("inspected_on"), "inspector", "readiness", "is_latest")
    list_filter = ("readiness", "is_latest")
    search_fields = ("branch__code",)
    inlines = [InspectionItemInline]


@admin.register(BranchSensitivity)
class SensitivityAdmin(ReadOnly):
    list_display = ("branch", "level", "reasons")
    list_filter = ("level",)
    search_fields = ("branch__code",)


@admin.register(Link)
class LinkAdmin(AuditedAdmin):
    list_display = ("branch", "kind", "operator", "is_primary", "signal_dbm")
    list_filter = ("kind", "operator")
    search_fields = ("branch__code",)


@admin.register(BranchNetwork)
class BranchNetworkAdmin(ReadOnly):
    list_display = ("branch", "status", jalali_datetime("since"))
    list_filter = ("status",)


@admin.register(OutageIncident)
class OutageAdmin(ReadOnly):
    list_display = ("branch", jalali_datetime("opened_at"), jalali_datetime("closed_at"))


class DeviceLogInline(admin.TabularInline):
    model = DeviceLog
    extra = 0
    can_delete = False
    readonly_fields = ("event", "from_state", "to_state", "at", "actor_name", "place", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(ReadOnly):
    list_display = ("serial", "kind", "state", "region", "branch")
    list_filter = ("kind", "state")
    search_fields = ("serial",)
    inlines = [DeviceLogInline]


@admin.register(DeviceReplacement)
class ReplacementAdmin(ReadOnly):
    list_display = ("faulty", "replacement", "branch", "journal_entries", jalali_datetime("transferred_at"))


@admin.register(Draw)
class DrawAdmin(ReadOnly):
    list_display = ("subject", "stage", "seed", "digest", jalali_datetime("drawn_at"))
    exclude = ("inputs", "result")


@admin.register(Person)
class PersonAdmin(ReadOnly):
    list_display = ("full_name", "national_code", "seconded_from", "is_candidate")
    search_fields = ("full_name", "national_code")
    list_filter = ("is_candidate",)


@admin.register(Course)
class CourseAdmin(AuditedAdmin):
    list_display = ("title", "role", "pass_mark")


@admin.register(TrainingClass)
class TrainingClassAdmin(AuditedAdmin):
    list_display = ("course", jalali_datetime("held_on"), "place")


@admin.register(StaffAssignment)
class AssignmentAdmin(ReadOnly):
    list_display = ("person", "role", "region", "branch", "is_reserve")
    list_filter = ("role", "is_reserve")
