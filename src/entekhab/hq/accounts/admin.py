"""The back office shows people and their appointments; it changes neither.

Roles change only through ``do_appoint``/``do_revoke`` (the user administrator, audited,
never on oneself); the superuser flag, groups and per-user permissions are not offered at
all, so nobody can raise their own rights from a form (issue 13).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from entekhab.hq.accounts.models import Appointment
from entekhab.hq.audit.events import Event
from entekhab.hq.audit.log import record
from entekhab.hq.elections.admin import ReadOnlyAdmin


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    can_delete = False
    fields = readonly_fields = ("role", "election", "area", "branch", "appointed_by", "appointed_at", "reason")

    def has_add_permission(self, request, obj=None):
        return False


class PeopleAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ("is_active", "is_staff", "last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "is_active")
    list_filter = ("is_active", "appointments__role")
    filter_horizontal = ()
    inlines = [AppointmentInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk:
            return False  # one's own account is changed by the user administrator, not by oneself
        if obj is not None and obj.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(actor=request.user, action=Event.ADMIN_CHANGE if change else Event.ADMIN_ADD, target=obj,
               after={k: "…" if "password" in k else str(form.cleaned_data.get(k)) for k in form.changed_data})


admin.site.unregister(User)
admin.site.register(User, PeopleAdmin)
admin.site.unregister(Group)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "election", "area", "branch", "appointed_by", "appointed_at")
    list_filter = ("role",)
    search_fields = ("user__username",)
