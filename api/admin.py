from django.contrib import admin

from api.models import ApiToken, WebhookDelivery, WebhookEndpoint


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "prefix", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # made by their users on the profile page, shown once

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    fields = readonly_fields = (
        "created_at",
        "event",
        "hazard",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "response",
    )
    ordering = ["-created_at"]
    max_num = 0

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "region", "is_active", "created_at"]
    filter_horizontal = ["industries"]
    inlines = [DeliveryInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event", "hazard", "status", "attempts", "sent_at"]
    list_filter = ["status", "event", "endpoint"]
    readonly_fields = [
        "endpoint",
        "event",
        "hazard",
        "body",
        "status",
        "attempts",
        "next_attempt_at",
        "response",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
