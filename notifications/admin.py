from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hunan_safety.admin import ReadOnlyMixin
from notifications import delivery as delivery_service
from notifications.models import Delivery, Digest, Notification, Reminder


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
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: notifications are written by the workflow and read by their recipients."""

    list_display = ["created_at", "recipient", "kind", "action", "about", "actor", "read_at"]
    list_filter = ["kind", "action", ReadFilter]
    search_fields = ["recipient__username", "hazard__number", "reminder__hazard__number"]
    list_select_related = ["recipient", "actor", "hazard", "reminder__hazard"]

    @admin.display(description=_("hazard"))
    def about(self, notification: Notification):
        return notification.about


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written by the scan and the workers: to read, never to edit by hand."""


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["due_on", "hazard", "stage", "sequence", "deadline", "recipient", "claimed_at", "noticed_at"]
    list_filter = ["stage", "due_on"]
    search_fields = ["hazard__number", "recipient__username", "recipient__last_name"]
    list_select_related = ["hazard", "recipient"]
    date_hierarchy = "due_on"


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["day", "recipient", "overdue_count", "due_soon_count", "claimed_at"]
    list_filter = ["day"]
    search_fields = ["recipient__username", "recipient__last_name"]
    list_select_related = ["recipient"]
    exclude = ["items"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Every delivery with its status; a failed one can be sent again (the relay picks it up within a minute)."""

    list_display = ["created_at", "channel", "status", "recipient", "about", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "channel"]
    search_fields = [
        "reminder__hazard__number",
        "reminder__recipient__username",
        "digest__recipient__username",
        "address",
    ]
    list_select_related = [
        "reminder__hazard",
        "reminder__recipient",
        "digest__recipient",
        "notification__hazard",
        "notification__recipient",
    ]
    actions = ["retry"]

    @admin.display(description=_("recipient"))
    def recipient(self, delivery):
        return delivery.target.recipient

    @admin.display(description=_("about"))
    def about(self, delivery):
        if delivery.reminder_id:
            return f"{delivery.reminder.hazard.number} · {delivery.reminder.get_stage_display()}"
        if delivery.notification_id:
            news = delivery.notification
            return f"{news.hazard.number if news.hazard else '—'} · {news.get_action_display()}"
        return _("Daily digest of %(day)s") % {"day": delivery.digest.day.isoformat()}

    @admin.display(description=_("last error"))
    def short_error(self, delivery):
        return delivery.last_error[:80]

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_delivery")

    @admin.action(description=_("Send the selected failed deliveries again"), permissions=["retry"])
    def retry(self, request, queryset):
        count = delivery_service.retry(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again within a minute.",
                "%(count)d deliveries will be sent again within a minute.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
