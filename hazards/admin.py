from django.contrib import admin

from hazards.models import Industry
from hunan_safety.admin import NoDeleteMixin


@admin.register(Industry)
class IndustryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "sort_order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["parent"]
