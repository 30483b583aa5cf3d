from django.contrib import admin

from entekhab.hq.geography.models import Area
from entekhab.hq.web.display import persian_number


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fa", "name_en", "kind", "parent", persian_number("population"))
    list_filter = ("kind",)
    search_fields = ("code", "name_fa", "name_en")
    raw_id_fields = ("parent",)
    filter_horizontal = ("constituents",)
    readonly_fields = ("path",)
