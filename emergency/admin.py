from django.contrib import admin

from emergency.models import (
    Alert,
    Depot,
    Drill,
    DutyShift,
    EmergencyPlan,
    Handover,
    QuickReport,
    RescueTeam,
    ReserveItem,
)


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["duty_date", "kind", "organization", "leading_cadre", "phone"]
    list_filter = ["kind", "duty_date"]
    search_fields = ["organization__name", "leading_cadre__last_name", "leading_cadre__username"]
    autocomplete_fields = ["organization", "leading_cadre", "officers"]
    date_hierarchy = "duty_date"


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ["shift", "outgoing", "outgoing_signed_at", "incoming", "incoming_signed_at"]
    readonly_fields = ["shift", "outgoing", "outgoing_signed_at", "incoming", "incoming_signed_at"]


class DrillInline(admin.TabularInline):
    model = Drill
    extra = 0
    fields = ["held_on", "scope", "participants", "assessment", "recorded_by"]
    raw_id_fields = ["recorded_by"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "kind", "version", "filed_on", "revision_due", "is_current"]
    list_filter = ["kind", "is_current"]
    search_fields = ["title", "organization__name"]
    autocomplete_fields = ["organization"]
    inlines = [DrillInline]


@admin.register(RescueTeam)
class RescueTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "head_count", "readiness", "contact", "phone", "is_active"]
    list_filter = ["kind", "readiness", "is_active"]
    search_fields = ["name", "equipment"]


class ReserveItemInline(admin.TabularInline):
    model = ReserveItem
    extra = 0


@admin.register(Depot)
class DepotAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "keeper", "phone", "is_active"]
    search_fields = ["name", "address"]
    inlines = [ReserveItemInline]


@admin.register(QuickReport)
class QuickReportAdmin(admin.ModelAdmin):
    list_display = [
        "reported_at",
        "stage",
        "category",
        "region",
        "place",
        "deaths",
        "injuries",
        "acknowledged_at",
        "escalated_at",
        "closed_at",
    ]
    list_filter = ["stage", "category"]
    search_fields = ["place", "summary"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "reason", "recipient", "sent_at", "attempts", "last_error"]
    list_filter = ["reason"]

    def has_delete_permission(self, request, obj=None):
        return False
