"""对账销号: a unit's list of hazards for a period, confirmed item by item by the unit, then by its department.

Immutable once the department confirms: the service refuses, and on PostgreSQL a trigger refuses any
UPDATE or DELETE of a confirmed reconciliation, of its items, and of any event (see the migration).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hazards.states import HazardState


class Reconciliation(models.Model):
    class State(models.TextChoices):
        PREPARED = "prepared", _("Waiting for the unit")
        UNIT_CONFIRMED = "unit_confirmed", _("Confirmed by the unit, waiting for the department")
        SENT_BACK = "sent_back", _("Sent back to the unit")
        CONFIRMED = "confirmed", pgettext_lazy("reconciliation", "Reconciled")

    unit = models.ForeignKey(
        "accounts.Organization", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reconciliations"
    )
    period = models.CharField(_("period"), max_length=7, help_text=_("A quarter (2026-Q4) or a month (2026-11)."))
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.PREPARED)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared"), default=timezone.now)
    unit_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed for the unit by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_confirmed_at = models.DateTimeField(_("confirmed by the unit"), null=True, blank=True)
    department_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed for the department by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department_confirmed_at = models.DateTimeField(_("confirmed by the department"), null=True, blank=True)
    department_note = models.TextField(_("department's note"), blank=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-starts_on", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="reconciliation_one_per_unit_and_period"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="reconciliation_period_order"),
            models.CheckConstraint(
                condition=~Q(state="confirmed")
                | Q(unit_confirmed_by__isnull=False, department_confirmed_by__isnull=False),
                name="reconciliation_confirmed_by_both",
            ),
        ]
        indexes = [models.Index(fields=["period", "state"], name="reconciliation_period_idx")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"

    @property
    def is_confirmed(self) -> bool:
        return self.state == self.State.CONFIRMED


class ReconciliationItem(models.Model):
    """One hazard of the unit's list, as it stood when the list was prepared, and the unit's answer."""

    class Answer(models.TextChoices):
        UNANSWERED = "", _("Not yet answered")
        STILL_OPEN = "still_open", _("Still open")
        RECTIFIED = "rectified", _("Rectified")
        DISPUTED = "disputed", _("Disputed")

    reconciliation = models.ForeignKey(
        Reconciliation, verbose_name=_("reconciliation"), on_delete=models.PROTECT, related_name="items"
    )
    hazard = models.ForeignKey("hazards.Hazard", verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="+")
    # The hazard as it stood at preparation: the list the unit signs does not move under it.
    hazard_state = models.CharField(_("state when prepared"), max_length=12)
    found_on = models.DateField(_("found on"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    answer = models.CharField(_("unit's answer"), max_length=12, choices=Answer.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("reconciliation item")
        verbose_name_plural = _("reconciliation items")
        ordering = ["found_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reconciliation", "hazard"], name="reconciliation_item_once"),
            models.CheckConstraint(
                condition=~Q(answer="disputed") | ~Q(note=""), name="reconciliation_dispute_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reconciliation_id}: {self.hazard_id} {self.answer}"

    @property
    def hazard_state_label(self) -> str:
        return str(HazardState(self.hazard_state).label)


class ReconciliationEvent(models.Model):
    """Append-only: who prepared, confirmed, sent back a reconciliation, when, and what they said."""

    class Action(models.TextChoices):
        PREPARE = "prepare", _("Prepared the list")
        UNIT_CONFIRM = "unit_confirm", _("Confirmed and signed for the unit")
        SEND_BACK = "send_back", _("Sent back to the unit")
        CONFIRM = "confirm", _("Confirmed for the department")

    reconciliation = models.ForeignKey(
        Reconciliation, verbose_name=_("reconciliation"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=15, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)
    # The unit's answers as signed: {hazard id: [answer, note]}.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("reconciliation event")
        verbose_name_plural = _("reconciliation events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.reconciliation_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ReconciliationReminder(models.Model):
    """A reminder sent to one person of a unit that had not reconciled a period: at most once each."""

    unit = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "recipient"], name="reconciliation_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period} → {self.recipient_id}"
