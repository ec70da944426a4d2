from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReconciliationConfig(AppConfig):
    """对账销号: each unit's list per period, confirmed item by item by the unit, then by its department."""

    name = "reconciliation"
    verbose_name = _("Reconciliation")
