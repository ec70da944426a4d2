from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("API for other systems")

    def ready(self):
        # Imported once the app registry is ready (Django's rule for code that touches models).
        from api import tasks  # noqa: F401 - registers the relay task
        from api.webhooks import on_deadline_reached, on_hazard_changed
        from hazards.signals import hazard_changed
        from notifications.signals import deadline_reached

        hazard_changed.connect(on_hazard_changed, dispatch_uid="api.webhooks")
        deadline_reached.connect(on_deadline_reached, dispatch_uid="api.webhooks.deadlines")
