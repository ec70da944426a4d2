from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification


class ReadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Unread")), ("yes", _("Read"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the workflow and read by their recipients."""

    list_display = ["created_at", "recipient", "action", "hazard", "actor", "read_at"]
    list_filter = ["action", ReadFilter]
    search_fields = ["recipient__username", "hazard__number"]
    list_select_related = ["recipient", "actor", "hazard"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
