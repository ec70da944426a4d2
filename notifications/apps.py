from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Imported once the app registry is ready (Django's rule for code that touches models).
        from hazards.signals import hazard_changed
        from notifications import tasks  # noqa: F401 - registers the tasks that delivery.py publishes by name
        from notifications.receivers import notify_concerned

        hazard_changed.connect(notify_concerned, dispatch_uid="notifications.notify_concerned")
