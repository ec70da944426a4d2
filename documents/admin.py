from django.contrib import admin

from documents.models import DocumentNumbering, EnforcementDocument
from hunan_safety.admin import NoDeleteMixin, ReadOnlyMixin


@admin.register(DocumentNumbering)
class DocumentNumberingAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["organization", "abbreviation"]
    autocomplete_fields = ["organization"]
    search_fields = ["organization__name", "abbreviation"]


@admin.register(EnforcementDocument)
class EnforcementDocumentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "issuing_body", "addressee_name", "issued_by", "issued_at"]
    list_filter = ["kind", "year"]
    search_fields = ["number", "addressee_name", "issuing_body__name"]
    list_select_related = ["issuing_body", "issued_by"]
