"""The rules regulators work by: the official working-day calendar, determination standards, checklists."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HolidaySchedule(models.Model):
    """A year's holiday schedule entered by an administrator (国务院办公厅 publishes it each November).

    A year with a schedule here is covered even where the chinesecalendar package has no data, and its
    days win over the package's for the same dates.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("The notice it was copied from, e.g. 国办发明电〔2026〕N号."),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("holiday schedule")
        verbose_name_plural = _("holiday schedules")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class ScheduleDay(models.Model):
    """A public holiday, or a weekend day made a working day (调休), of a year's schedule."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no work)")
        WORKING_DAY = "working_day", _("Make-up working day (调休)")

    schedule = models.ForeignKey(
        HolidaySchedule, verbose_name=_("holiday schedule"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. 国庆节"))

    class Meta:
        verbose_name = _("schedule day")
        verbose_name_plural = _("schedule days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"

    def clean(self):
        if self.day and self.schedule_id and self.day.year != self.schedule.year:
            raise ValidationError({"day": _("The date must be in the schedule's year.")})


class DeterminationStandard(models.Model):
    """An industry's major-hazard determination standard (重大事故隐患判定标准), loaded from rules/data/standards."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(pgettext_lazy("standard", "title"), max_length=200)
    number = models.CharField(_("document number"), max_length=100)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    in_force_on = models.DateField(_("in force from"))
    industries = models.ManyToManyField("accounts.Industry", verbose_name=_("industries"), related_name="+")
    source = models.JSONField(_("source"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("determination standard")
        verbose_name_plural = _("determination standards")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class DeterminationClause(models.Model):
    """One numbered situation of a standard: a hazard matching it is major by law (安全生产法 art. 118)."""

    standard = models.ForeignKey(
        DeterminationStandard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="clauses"
    )
    number = models.CharField(_("clause"), max_length=20)
    # Standards numbered by article and item (煤矿: 第四条第（一）项) keep a dotted number for ordering and
    # search ("4.1") and cite the clause as the text does; flat lists (1–20) leave it blank.
    citation = models.CharField(_("citation"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("determination clause")
        verbose_name_plural = _("determination clauses")
        ordering = ["standard", "position"]
        constraints = [models.UniqueConstraint(fields=["standard", "number"], name="clause_number_unique")]

    def __str__(self) -> str:
        return f"{self.standard.title} {self.reference}"

    @property
    def reference(self) -> str:
        """The clause as a legal basis cites it: its citation, or 第N项 in a flat list."""
        return self.citation or f"第{self.number}项"

    @property
    def label(self) -> str:
        """How a picker shows it: the standard, the clause's number and its text."""
        return f"{self.standard.title} {self.reference}：{self.text}"

    @property
    def legal_basis(self) -> str:
        """The line the legal-basis field gets: the standard, its number, the clause and its text."""
        return f"《{self.standard.title}》（{self.standard.number}）{self.reference}：{self.text}"


class Checklist(models.Model):
    """An inspection checklist (检查表) of an industry and kind of check, defined by an administrator."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily check")
        SPECIAL = "special", _("Special check")
        SEASONAL = "seasonal", _("Seasonal or holiday check")
        PRE_START = "pre_start", _("Pre-start check")

    title = models.CharField(pgettext_lazy("checklist", "title"), max_length=200)
    industry = models.ForeignKey(
        "accounts.Industry", verbose_name=_("industry"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of check"), max_length=12, choices=Kind.choices, default=Kind.DAILY)
    issued_by = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["industry__sort_order", "title"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One line of a checklist; linked to a determination clause, its failure is a major hazard."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("what to check"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    clause = models.ForeignKey(
        DeterminationClause,
        verbose_name=_("determination clause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:40]}"

    @property
    def basis(self) -> str:
        """The legal basis a finding from this item carries: the item's own, else its clause's."""
        return self.legal_basis or (self.clause.legal_basis if self.clause else "")
