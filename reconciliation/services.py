"""Every write of a reconciliation (对账销号) goes through here; the database keeps a confirmed one as it is.

prepare ──▶ prepared ──unit confirms──▶ unit_confirmed ──department confirms──▶ confirmed (immutable)
                ▲                              │
                └──────── sent back ◀──────────┘ (the unit answers again and confirms again)

The unit's own users (整改责任单位 role, of that unit) answer each item and sign; a department head
whose register scope holds the unit confirms or sends back. Each step writes an event.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.roles import Role
from accounts.scope import register_for
from hazards.models import Hazard, HazardState
from hazards.visibility import HazardQuerySet
from reconciliation.models import Reconciliation, ReconciliationEvent, ReconciliationItem
from reconciliation.periods import MONTH, Period, kind_for
from reconciliation.selectors import reconciliations_changed

Answer = ReconciliationItem.Answer
State = Reconciliation.State


class ReconciliationError(Exception):
    """A refused step, with a message the user can read."""


def is_unit_user(user: User, unit: Organization) -> bool:
    return user.has_role(Role.RECTIFYING_UNIT) and user.organization_id == unit.pk


def is_reviewer(user: User, unit: Organization) -> bool:
    """A department head (or administrator) whose register scope holds the unit; never the unit's own users."""
    if user.organization_id == unit.pk:
        return False
    return (user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser) and register_for(user).filter(pk=unit.pk).exists()


def unit_hazards(unit: Organization, period: Period) -> HazardQuerySet:
    """The unit's list for a period: its hazards open at the period's start or found in it (void ones never)."""
    open_at_start = Q(found_on__lt=period.starts_on) & (
        Q(closed_at__isnull=True) | Q(closed_at__date__gte=period.starts_on)
    )
    found_in = Q(found_on__gte=period.starts_on, found_on__lte=period.ends_on)
    return (
        Hazard.objects.filter(Q(unit=unit) | Q(rectifying_unit=unit))
        .exclude(state=HazardState.VOID)
        .filter(open_at_start | found_in)
        .order_by("found_on", "id")
    )


def _locked(reconciliation_id: int) -> Reconciliation:
    return Reconciliation.objects.select_for_update().select_related("unit").get(pk=reconciliation_id)


@transaction.atomic
def prepare(*, actor: User, unit: Organization, period: Period, today: date | None = None) -> Reconciliation:
    """Prepare (or return) the unit's reconciliation for a period that has ended: its list, item by item."""
    if not (is_unit_user(actor, unit) or is_reviewer(actor, unit)):
        raise ReconciliationError(
            _("Only the unit's own users or its supervising department can prepare its reconciliation.")
        )
    if period.kind != kind_for(unit):
        message = (
            _("%(unit)s reconciles every month: choose a month such as 2026-11.")
            if kind_for(unit) == MONTH
            else _("%(unit)s reconciles every quarter: choose a quarter such as 2026-Q4.")
        )
        raise ReconciliationError(message % {"unit": unit.name})
    if period.ends_on >= (today or timezone.localdate()):
        raise ReconciliationError(
            _("A period is reconciled once it has ended; %(period)s has not.") % {"period": period}
        )
    existing = Reconciliation.objects.filter(unit=unit, period=period.code).first()
    if existing is not None:
        return existing
    reconciliation = Reconciliation.objects.create(
        unit=unit, period=period.code, starts_on=period.starts_on, ends_on=period.ends_on, prepared_by=actor
    )
    ReconciliationItem.objects.bulk_create(
        ReconciliationItem(
            reconciliation=reconciliation,
            hazard_id=hazard.pk,
            hazard_state=hazard.state,
            found_on=hazard.found_on,
            deadline=hazard.deadline,
            closed_on=timezone.localdate(hazard.closed_at) if hazard.closed_at else None,
        )
        for hazard in unit_hazards(unit, period).only("pk", "state", "found_on", "deadline", "closed_at")
    )
    ReconciliationEvent.objects.create(
        reconciliation=reconciliation, actor=actor, action=ReconciliationEvent.Action.PREPARE
    )
    transaction.on_commit(reconciliations_changed)
    return reconciliation


@transaction.atomic
def confirm_by_unit(
    *, actor: User, reconciliation_id: int, answers: dict[int, tuple[str, str]], note: str = ""
) -> Reconciliation:
    """The unit's user answers every item (still open, rectified, disputed with a note) and signs the whole.

    `answers` maps each item's id to (answer, note). Disputed items go to the department with the note.
    """
    reconciliation = _locked(reconciliation_id)
    if not is_unit_user(actor, reconciliation.unit):
        raise ReconciliationError(_("Only the unit's own users confirm its reconciliation."))
    if reconciliation.state not in (State.PREPARED, State.SENT_BACK):
        raise ReconciliationError(
            _("This reconciliation is %(state)s: the unit cannot confirm it now.")
            % {"state": reconciliation.get_state_display()}
        )
    items = list(reconciliation.items.select_for_update())
    signed = {}
    for item in items:
        answer, item_note = answers.get(item.pk, ("", ""))
        item_note = (item_note or "").strip()
        if answer not in (Answer.STILL_OPEN, Answer.RECTIFIED, Answer.DISPUTED):
            raise ReconciliationError(_("Answer every item of the list before confirming it."))
        if answer == Answer.DISPUTED and not item_note:
            raise ReconciliationError(_("Say why an item is disputed: the department reads it."))
        item.answer, item.note = answer, item_note
        signed[str(item.hazard_id)] = [answer, item_note]
    ReconciliationItem.objects.bulk_update(items, ["answer", "note"])
    reconciliation.state = State.UNIT_CONFIRMED
    reconciliation.unit_confirmed_by = actor
    reconciliation.unit_confirmed_at = timezone.now()
    reconciliation.save()
    ReconciliationEvent.objects.create(
        reconciliation=reconciliation,
        actor=actor,
        action=ReconciliationEvent.Action.UNIT_CONFIRM,
        note=note.strip(),
        answers=signed,
    )
    transaction.on_commit(reconciliations_changed)
    return reconciliation


def _reviewed(actor: User, reconciliation_id: int) -> Reconciliation:
    reconciliation = _locked(reconciliation_id)
    if not is_reviewer(actor, reconciliation.unit):
        raise ReconciliationError(_("Only a head of the supervising department reviews a unit's reconciliation."))
    if reconciliation.state != State.UNIT_CONFIRMED:
        raise ReconciliationError(
            _("This reconciliation is %(state)s: there is nothing to review.")
            % {"state": reconciliation.get_state_display()}
        )
    return reconciliation


@transaction.atomic
def send_back(*, actor: User, reconciliation_id: int, reason: str) -> Reconciliation:
    """The department sends the unit's confirmation back, saying why; the unit answers and confirms again."""
    reconciliation = _reviewed(actor, reconciliation_id)
    reason = reason.strip()
    if not reason:
        raise ReconciliationError(_("Say why the reconciliation goes back to the unit."))
    reconciliation.state = State.SENT_BACK
    reconciliation.department_note = reason
    reconciliation.save()
    ReconciliationEvent.objects.create(
        reconciliation=reconciliation, actor=actor, action=ReconciliationEvent.Action.SEND_BACK, note=reason
    )
    transaction.on_commit(reconciliations_changed)
    return reconciliation


@transaction.atomic
def confirm_by_department(*, actor: User, reconciliation_id: int, note: str = "") -> Reconciliation:
    """The department confirms the unit's signed list: from then on nothing of it can change."""
    reconciliation = _reviewed(actor, reconciliation_id)
    reconciliation.state = State.CONFIRMED
    reconciliation.department_confirmed_by = actor
    reconciliation.department_confirmed_at = timezone.now()
    reconciliation.department_note = note.strip()
    reconciliation.save()
    ReconciliationEvent.objects.create(
        reconciliation=reconciliation, actor=actor, action=ReconciliationEvent.Action.CONFIRM, note=note.strip()
    )
    transaction.on_commit(reconciliations_changed)
    return reconciliation
