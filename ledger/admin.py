"""Administration of the import's named profiles (shared mappings) and the organisations' own mappings."""

from django.contrib import admin

from ledger.models import ImportProfile


@admin.register(ImportProfile)
class ImportProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organization", "updated_at")
    list_filter = ("organization__kind",)
    search_fields = ("name", "organization__name")
    autocomplete_fields = ("organization",)
