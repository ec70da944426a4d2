from django.contrib import admin

from hazards.models import Industry


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "sort_order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["parent"]

    def has_delete_permission(self, request, obj=None):
        return False
