"""Administration of the import's named profiles (shared mappings) and the organisations' own mappings."""

from django.contrib import admin

from ledger.models import ImportedUnit, ImportProfile


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organization", "updated_at")
    list_filter = ("organization__kind",)
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)


@admin.register(ImportedUnit)
class ImportedUnitAdmin(admin.ModelAdmin):
    """Units a ledger import added to the register: delete the row once the unit is completed."""

    list_display = ("unit", "file_name", "row", "added_by", "added_at")
    search_fields = ("unit__name", "file_name")
    raw_id_fields = ("unit", "added_by")
