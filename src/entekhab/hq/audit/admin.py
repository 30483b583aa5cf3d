from django.contrib import admin

from entekhab.hq.audit.models import AuditEvent
from entekhab.hq.web.display import jalali_datetime


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        jalali_datetime("created_at"),
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "succeeded",
    )
    list_filter = ("action", "succeeded")
    search_fields = ("actor_name", "action", "target_id", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
