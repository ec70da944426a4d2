from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hunan_safety.admin import NoDeleteMixin
from inspections.models import Campaign, Inspection


@admin.register(Campaign)
class CampaignAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "start_date", "end_date", "organizer", "is_active"]
    list_filter = ["is_active", "kind", "industries"]
    search_fields = ["name", "description", "organizer__name"]
    list_select_related = ["organizer"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["organizer", "regions", "industries"]
    readonly_fields = ["created_at"]


@admin.register(Inspection)
class InspectionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["inspected_on", "place", "region", "industry", "campaign", "organization"]
    list_filter = ["campaign", "industry"]
    search_fields = ["unit__name", "site_name", "notes", "region__name", "region__code", "campaign__name"]
    list_select_related = ["unit", "region", "industry", "campaign", "organization"]
    date_hierarchy = "inspected_on"
    autocomplete_fields = ["region", "unit", "industry", "campaign", "organization", "inspectors", "created_by"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("unit or site"), ordering="unit__name")
    def place(self, inspection: Inspection) -> str:
        return inspection.place
