"""The baseline of bench/pages.py: what a Django team gets for free — the admin changelist of `Hazard`.

A ModelAdmin as a team would write it: the ledger's columns, the usual `list_filter`, `search_fields`
and `date_hierarchy`, `list_select_related`, and the queryset limited by the same visibility rule
(an admin showing everyone everything would not be a fair comparison, nor a product). It lives on
its own AdminSite, mounted only by the benchmark's URLconf (bench/_urls.py), which lets any active
user in, so the three personas can be compared on the same rows.
"""

from django.contrib import admin

from hazards.models import Hazard


class BenchAdminSite(admin.AdminSite):
    site_header = "Hazard admin (benchmark baseline)"

    def has_permission(self, request):
        return request.user.is_active


class HazardAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "industry",
        "level",
        "region",
        "unit",
        "state",
        "found_on",
        "deadline",
        "rectifying_unit",
    ]
    list_filter = ["state", "level", "industry", "region__parent", "region", "listed_level", "source", "found_on"]
    search_fields = ["number", "title", "description", "unit__name", "site_name", "location", "rectifying_unit__name"]
    date_hierarchy = "found_on"
    list_select_related = ["industry", "region", "unit", "rectifying_unit"]
    ordering = ["-found_on", "-id"]

    def get_queryset(self, request):
        return Hazard.objects.visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active

    def has_module_permission(self, request):
        return request.user.is_active

    def lookup_allowed(self, lookup, value, request=None):
        return True  # the cases filter on deadline, state and industry lists as the ledger does


site = BenchAdminSite(name="bench_admin")
site.register(Hazard, HazardAdmin)
