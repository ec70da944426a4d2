from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = _("Rules: calendar, standards, checklists")

    def ready(self):
        from hunan_safety import health
        from rules import calendar

        # /healthz says when a year near today has no official holiday schedule (Monday–Friday is assumed).
        health.register("calendar", calendar.health)
