from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: personas, organisations and a ledger of realistic findings (`seed_demo`)."""

    name = "demo"
    verbose_name = "Demo data"
