from django.contrib import admin

from entekhab.hq.capacity.models import PlanRun, PlanScenario


@admin.register(PlanScenario)
class PlanScenarioAdmin(admin.ModelAdmin):
    """Read-only here: scenarios are edited on the capacity pages, whose form validates and audits."""

    list_display = ("name", "election", "updated_at", "updated_by")
    list_filter = ("election",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlanRun)
class PlanRunAdmin(admin.ModelAdmin):
    list_display = ("id", "scenario_name", "election", "state", "district_code", "started_at", "seconds")
    list_filter = ("election", "state")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
