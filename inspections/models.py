"""The investigation work that produces findings: special campaigns and inspection visits."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.visibility import InspectionQuerySet


def campaign_state_rank(today: date) -> Case:
    """0 in progress, 1 planned, 2 ended: the campaigns' order on their list."""
    return Case(
        When(start_date__gt=today, then=Value(1)),
        When(end_date__lt=today, then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )


class CampaignQuerySet(models.QuerySet):
    def recordable(self, today: date | None = None) -> "CampaignQuerySet":
        """Campaigns an inspection may be filed under: not withdrawn and already begun (ended ones too,
        for a visit made while they ran); the inspection's date is checked against the period."""
        return self.filter(is_active=True, start_date__lte=today or timezone.localdate())


class Campaign(models.Model):
    """A special action (专项行动), e.g. 打非治违 or the self-built housing rectification.

    Its state comes from its dates (planned, in progress, ended); `is_active` only withdraws a
    campaign from the recording forms.
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("campaign", "In progress")
        ENDED = "ended", pgettext_lazy("campaign", "Ended")

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

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def state_on(self, day: date) -> str:
        if day < self.start_date:
            return self.State.PLANNED
        if day > self.end_date:
            return self.State.ENDED
        return self.State.IN_PROGRESS

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def refuse_outside(self, day: date, field: str) -> None:
        """A ValidationError on `field` unless `day` falls in the campaign's period."""
        if not self.covers(day):
            raise ValidationError(
                {
                    field: _(
                        "The campaign “%(name)s” runs from %(start)s to %(end)s: a visit on %(day)s cannot be "
                        "filed under it. Choose another campaign, or none."
                    )
                    % {"name": self.name, "start": self.start_date, "end": self.end_date, "day": day}
                }
            )


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
    checklist = models.ForeignKey(
        "rules.Checklist",
        verbose_name=_("checklist followed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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

    def clean(self) -> None:
        # Whoever records it (form, service, import), a visit is filed only under a campaign running that day.
        if self.campaign is not None and self.inspected_on:
            self.campaign.refuse_outside(self.inspected_on, "campaign")

    @property
    def place(self) -> str:
        return self.unit.name if self.unit is not None else self.site_name


class ChecklistAnswer(models.Model):
    """An inspection's answer to one item of the checklist it followed (符合 / 不符合 / 不涉及)."""

    class Answer(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant (符合)")
        NON_COMPLIANT = "non_compliant", _("Non-compliant (不符合)")
        NOT_APPLICABLE = "not_applicable", _("Not applicable (不涉及)")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="checklist_answers"
    )
    item = models.ForeignKey("rules.ChecklistItem", verbose_name=_("checklist item"), on_delete=models.PROTECT)
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["inspection", "item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="checklist_answer_unique")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_answer_display()}"
