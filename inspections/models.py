"""The investigation work that produces findings: special campaigns and inspection visits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inspections.visibility import InspectionQuerySet


class Campaign(models.Model):
    """A special action (专项行动), e.g. 打非治违 or the self-built housing rectification."""

    class Kind(models.TextChoices):
        CRACKDOWN = "crackdown", _("Crack down on illegal production (打非治违)")
        SELF_BUILT_HOUSING = "self_built_housing", _("Self-built housing rectification")
        KEY_INDUSTRIES = "key_industries", _("Key-industry investigation")
        SEASONAL = "seasonal", _("Seasonal or holiday inspection")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.KEY_INDUSTRIES)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    industries = models.ManyToManyField("accounts.Industry", verbose_name=_("industries"), blank=True)
    regions = models.ManyToManyField(
        "accounts.Region", verbose_name=_("regions"), blank=True, help_text=_("Leave empty for the whole province.")
    )
    organizer = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organiser"), null=True, blank=True, on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """One investigation visit (排查) to a unit or site, by a team of inspectors."""

    inspected_on = models.DateField(_("inspection date"))
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="inspections"
    )
    unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("unit inspected"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    site_name = models.CharField(
        _("site"), max_length=200, blank=True, help_text=_("For a site that is not a registered unit, e.g. a house.")
    )
    industry = models.ForeignKey("accounts.Industry", verbose_name=_("industry"), on_delete=models.PROTECT)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("inspecting body"),
        null=True,
        on_delete=models.PROTECT,
        related_name="inspections_made",
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspection team"), related_name="inspections"
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="inspections_recorded",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(site_name=""), name="inspection_has_unit_or_site"
            ),
        ]
        indexes = [
            # Coverage (inspections/coverage.py) asks of the register's units: inspected in this campaign
            # (its units in order, for an anti-join, or one probe per unit)? since that day (a probe)?
            models.Index(fields=["campaign", "unit"], name="inspection_campaign_unit_idx"),
            models.Index(fields=["unit", "inspected_on"], name="inspection_unit_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on:%Y-%m-%d} {self.place}"

    @property
    def place(self) -> str:
        return self.unit.name if self.unit is not None else self.site_name
