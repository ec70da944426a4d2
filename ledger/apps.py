from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The Excel ledger (台账): export, import, the import template and background export jobs."""

    name = "ledger"
    verbose_name = _("Excel ledger")
