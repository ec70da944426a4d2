from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    """The register of units (企业/单位台账): its pages, its Excel import, campaign coverage and blind spots."""

    name = "units"
    verbose_name = _("Register of units")
