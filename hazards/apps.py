from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = _("Hidden-danger ledger")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Industry, Region
        from hazards.counting import forget_counts
        from hazards.filters import forget_reference_choices
        from hazards.signals import hazard_changed
        from inspections.models import Campaign

        # The filter form offers industries, regions and campaigns: a change to any draws it anew.
        for model in (Industry, Region, Campaign):
            post_save.connect(forget_reference_choices, sender=model, dispatch_uid=f"forget-choices-{model.__name__}")
            post_delete.connect(forget_reference_choices, sender=model, dispatch_uid=f"forget-del-{model.__name__}")
        hazard_changed.connect(forget_counts, dispatch_uid="forget-ledger-counts")
