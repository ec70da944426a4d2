from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from hunan_safety.admin import NoDeleteMixin, ReadOnlyMixin
from rules.calendar import working_calendar, years_to_watch
from rules.models import (
    Checklist,
    ChecklistItem,
    DeterminationClause,
    DeterminationStandard,
    HolidaySchedule,
    ScheduleDay,
)


class ScheduleDayInline(admin.TabularInline):
    model = ScheduleDay
    extra = 3


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    """A year's schedule (holidays and make-up days), entered when the State Council publishes it."""

    list_display = ["year", "source", "created_at"]
    inlines = [ScheduleDayInline]

    def changelist_view(self, request, extra_context=None):
        missing = working_calendar().missing_years(years_to_watch())
        if missing:
            messages.warning(
                request,
                _(
                    "No holiday schedule for %(years)s: deadlines in it count Monday to Friday as working days. "
                    "Enter the year's schedule here."
                )
                % {"years": ", ".join(map(str, missing))},
            )
        return super().changelist_view(request, extra_context)


class DeterminationClauseInline(admin.TabularInline):
    model = DeterminationClause
    extra = 0
    fields = ["number", "citation", "text"]
    readonly_fields = ["number", "citation", "text"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DeterminationStandard)
class DeterminationStandardAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Loaded from rules/data/standards by `manage.py load_standards`: read here, changed in the files."""

    list_display = ["title", "number", "issuing_body", "in_force_on", "is_active"]
    list_filter = ["is_active", "industries"]
    search_fields = ["title", "number", "clauses__text"]
    inlines = [DeterminationClauseInline]


@admin.register(DeterminationClause)
class DeterminationClauseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["standard", "number", "citation", "text"]
    list_filter = ["standard"]
    search_fields = ["text", "number", "citation", "standard__title"]
    list_select_related = ["standard"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 3
    autocomplete_fields = ["clause"]


@admin.register(Checklist)
class ChecklistAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["title", "industry", "kind", "issued_by", "is_active"]
    list_filter = ["is_active", "kind", "industry"]
    search_fields = ["title", "items__text"]
    autocomplete_fields = ["industry", "issued_by"]
    inlines = [ChecklistItemInline]
