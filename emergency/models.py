"""Emergency readiness (应急准备): duty rosters, plans and drills, rescue forces, reserves, quick reports.

Every register belongs to a body (an organisation) in a region, so the one visibility rule by region
(emergency/visibility.py) covers all of them. Nothing here is deleted: rows are closed, retired or
marked inactive, and a signed handover or an acknowledged report keeps who and when.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Industry, Organization, Region, User


class DutyShift(models.Model):
    """One shift of a body's duty roster (值班表): the leading cadre on duty (带班领导) and the officers."""

    class Kind(models.TextChoices):
        FULL_DAY = "full_day", _("24 hours")
        DAY = "day", _("Day shift")
        NIGHT = "night", _("Night shift")

    organization = models.ForeignKey(
        Organization, verbose_name=_("body"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    duty_date = models.DateField(_("duty date"))
    kind = models.CharField(_("shift"), max_length=10, choices=Kind.choices, default=Kind.FULL_DAY)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    leading_cadre = models.ForeignKey(
        User,
        verbose_name=_("leading cadre on duty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_shifts_led",
    )
    officers = models.ManyToManyField(User, verbose_name=_("duty officers"), blank=True, related_name="duty_shifts")
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["duty_date", "starts_at", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "duty_date", "kind"], name="duty_shift_unique_per_day"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_ends_after_start"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="duty_shift_time_idx")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.duty_date:%Y-%m-%d} · {self.get_kind_display()}"

    # Shift hours as the bureaus keep them: 24 hours from 08:30, or 08:30–17:30 and 17:30–08:30.
    HOURS = {Kind.FULL_DAY: ((8, 30), (8, 30)), Kind.DAY: ((8, 30), (17, 30)), Kind.NIGHT: ((17, 30), (8, 30))}

    @classmethod
    def span(cls, duty_date: date, kind: str) -> tuple[datetime, datetime]:
        """When a shift of this kind on this day starts and ends (in the product's time zone)."""
        (start_h, start_m), (end_h, end_m) = cls.HOURS[cls.Kind(kind)]
        zone = timezone.get_current_timezone()
        starts = datetime(duty_date.year, duty_date.month, duty_date.day, start_h, start_m, tzinfo=zone)
        ends = datetime(duty_date.year, duty_date.month, duty_date.day, end_h, end_m, tzinfo=zone)
        if ends <= starts:
            ends += timedelta(days=1)
        return starts, ends


class Handover(models.Model):
    """The handover log (交接班记录) of a shift: signed by the outgoing officer, then by the incoming one."""

    shift = models.OneToOneField(DutyShift, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="handover")
    happened = models.TextField(_("what happened"))
    pending = models.TextField(_("what is pending"), blank=True)
    outgoing = models.ForeignKey(
        User, verbose_name=_("handed over by"), on_delete=models.PROTECT, related_name="handovers_given"
    )
    outgoing_signed_at = models.DateTimeField(_("handed over"), default=timezone.now)
    incoming = models.ForeignKey(
        User,
        verbose_name=_("taken over by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handovers_taken",
    )
    incoming_signed_at = models.DateTimeField(_("taken over"), null=True, blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [
            models.CheckConstraint(
                condition=Q(incoming__isnull=True, incoming_signed_at__isnull=True)
                | Q(incoming__isnull=False, incoming_signed_at__isnull=False),
                name="handover_incoming_signs_with_time",
            ),
            models.CheckConstraint(condition=~Q(incoming=F("outgoing")), name="handover_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.shift}"

    @property
    def is_signed_by_both(self) -> bool:
        return self.incoming_signed_at is not None


class EmergencyPlan(models.Model):
    """An emergency plan (应急预案) of a unit or a body, with its filing (备案) and revision dates."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("Comprehensive plan")
        SPECIAL = "special", _("Special plan")
        ON_SITE = "on_site", _("On-site response plan")

    organization = models.ForeignKey(
        Organization, verbose_name=_("unit or body"), on_delete=models.PROTECT, related_name="emergency_plans"
    )
    title = models.CharField(pgettext_lazy("plan", "title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    industries = models.ManyToManyField(Industry, verbose_name=_("industries covered"), blank=True)
    version = models.CharField(_("version"), max_length=30, default="1.0")
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True, help_text=_("备案 with the supervising body"))
    revision_due = models.DateField(_("next revision due"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to="emergency/plans/%Y/", blank=True)
    is_current = models.BooleanField(_("current"), default=True, help_text=_("Untick when replaced or withdrawn."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["organization__region_id", "organization__name", "title"]

    def __str__(self) -> str:
        return f"{self.organization} · {self.title}"

    def revision_overdue(self, today: date) -> bool:
        return self.is_current and self.revision_due is not None and self.revision_due < today


class Drill(models.Model):
    """A drill (演练) of a plan; what it found goes on the ledger as hazards."""

    plan = models.ForeignKey(EmergencyPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="drills")
    held_on = models.DateField(_("held on"))
    scope = models.CharField(_("scope"), max_length=200, help_text=_("e.g. desktop exercise, full-scale drill"))
    participants = models.PositiveIntegerField(_("participants"))
    assessment = models.TextField(_("assessment"))
    recorded_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    findings = models.ManyToManyField("hazards.Hazard", verbose_name=_("findings"), blank=True, related_name="drills")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan.title} · {self.held_on:%Y-%m-%d}"


class RescueTeam(models.Model):
    """A rescue force (救援队伍): professional, enterprise or social, with its readiness."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("Comprehensive fire and rescue")
        MINE = "mine", _("Mine rescue")
        CHEMICAL = "chemical", _("Hazardous chemicals")
        FIRE = "fire", _("Fire brigade")
        FOREST = "forest", _("Forest fire")
        FLOOD = "flood", _("Flood and drought")
        MEDICAL = "medical", _("Medical rescue")
        SOCIAL = "social", _("Social volunteer force")

    class Readiness(models.TextChoices):
        READY = "ready", _("Ready")
        LIMITED = "limited", _("Limited")
        UNAVAILABLE = "unavailable", _("Unavailable")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("run by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    head_count = models.PositiveIntegerField(_("members"))
    equipment = models.TextField(_("main equipment"), blank=True)
    contact = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30)
    readiness = models.CharField(_("readiness"), max_length=12, choices=Readiness.choices, default=Readiness.READY)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rescue team")
        verbose_name_plural = _("rescue teams")
        ordering = ["region_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Depot(models.Model):
    """A depot of emergency materials (应急物资储备库) with its keeper."""

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, verbose_name=_("run by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300)
    keeper = models.CharField(_("keeper"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("depot")
        verbose_name_plural = _("depots")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class ReserveItem(models.Model):
    """A kind of material held in a depot: how much, until when, checked when, and the minimum to keep."""

    class Kind(models.TextChoices):
        PROTECTION = "protection", _("Personal protection")
        RESCUE = "rescue", _("Rescue tools")
        FIRE = "fire", _("Firefighting")
        FLOOD = "flood", _("Flood control")
        LIGHTING = "lighting", _("Lighting and power")
        COMMUNICATION = "communication", _("Communication")
        MEDICAL = "medical", _("Medical")
        LIVING = "living", _("Living necessities")
        CHEMICAL = "chemical", _("Leak control and decontamination")

    depot = models.ForeignKey(Depot, verbose_name=_("depot"), on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("item"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit of measure"), max_length=10, help_text=_("e.g. 件, 套, 台, 箱"))
    minimum = models.PositiveIntegerField(_("minimum to keep"), default=0)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    checked_on = models.DateField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("reserve item")
        verbose_name_plural = _("reserve items")
        ordering = ["depot_id", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.depot} · {self.name}"

    def is_expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today

    def expires_soon(self, today: date) -> bool:
        horizon = today + timedelta(days=settings.EMERGENCY_EXPIRY_WARNING_DAYS)
        return self.expires_on is not None and today <= self.expires_on <= horizon

    @property
    def is_below_minimum(self) -> bool:
        return self.quantity < self.minimum


class QuickReport(models.Model):
    """An information report (信息报送) of an accident or emergency: the first report (快报) and its chain.

    A follow-up (续报) or final report (终报) points at the first one; the chain is closed by the final
    report. The first report is what the level above must acknowledge within the set minutes.
    """

    class Stage(models.TextChoices):
        FIRST = "first", _("First report")
        FOLLOW_UP = "follow_up", _("Follow-up report")
        FINAL = "final", _("Final report")

    class Category(models.TextChoices):
        PRODUCTION_ACCIDENT = "production_accident", _("Production safety accident")
        FIRE = "fire", _("Fire")
        NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
        HAZARDOUS_LEAK = "hazardous_leak", _("Hazardous chemical leak")
        OTHER = "other", _("Other emergency")

    first = models.ForeignKey(
        "self",
        verbose_name=_("first report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.FIRST)
    category = models.CharField(_("category"), max_length=25, choices=Category.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    region = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Organization, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200)
    summary = models.TextField(pgettext_lazy("report", "what happened"))
    deaths = models.PositiveIntegerField(_("deaths"), default=0)
    injuries = models.PositiveIntegerField(_("injuries"), default=0)
    missing = models.PositiveIntegerField(_("missing"), default=0)
    measures = models.TextField(_("first measures taken"))
    reporter = models.ForeignKey(User, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+")
    reporting_body = models.ForeignKey(
        Organization,
        verbose_name=_("reporting body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    related_hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("hazards found at the unit before"), blank=True, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        User, verbose_name=_("acknowledged by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("information report")
        verbose_name_plural = _("information reports")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage="first", first__isnull=True) | (~Q(stage="first") & Q(first__isnull=False)),
                name="quick_report_chain_shape",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "reported_at"], name="quick_report_region_idx"),
            models.Index(
                fields=["reported_at"],
                condition=Q(stage="first", acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="quick_report_unacked_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.place} · {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def report_due_by(self) -> datetime:
        """When the first report must reach the level above: the set minutes after the event."""
        return self.occurred_at + timedelta(minutes=settings.EMERGENCY_REPORT_WITHIN_MINUTES)

    @property
    def was_late(self) -> bool:
        return self.reported_at > self.report_due_by()


class Alert(models.Model):
    """One person told of one thing the duty room must act on, created at most once for that thing.

    In-app it shows on the emergency pages until read; e-mail and the organisation's robot are sent
    by the relay task (`emergency.send_alerts`), which keeps attempts and the last error: nothing
    is dropped. The sentence is composed when shown or sent, in the reader's language, from the
    values stored here.
    """

    class Reason(models.TextChoices):
        REPORT_FILED = "report_filed", _("Report filed")
        REPORT_ESCALATED = "escalated", _("Report not acknowledged in time")
        ROSTER_GAP = "roster_gap", _("No leading cadre on duty")
        RESERVE = "reserve", _("Reserve expiring or short")

    recipient = models.ForeignKey(User, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="alerts")
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    report = models.ForeignKey(
        QuickReport, verbose_name=_("report"), null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("body"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        ReserveItem, verbose_name=_("reserve item"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_date = models.DateField(_("date concerned"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("duty alert")
        verbose_name_plural = _("duty alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "recipient", "reason"],
                condition=Q(report__isnull=False),
                name="alert_once_per_report",
            ),
            models.UniqueConstraint(
                fields=["organization", "on_date", "recipient", "reason"],
                condition=Q(organization__isnull=False),
                name="alert_once_per_body_day",
            ),
            models.UniqueConstraint(
                fields=["item", "on_date", "recipient", "reason"],
                condition=Q(item__isnull=False),
                name="alert_once_per_item_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="alert_unread_idx"),
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="alert_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} → {self.recipient_id}"
