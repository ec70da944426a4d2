"""Services of the registers: handovers signed by both, drills whose findings go on the ledger, reserves."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from emergency.alerts import create_alerts
from emergency.duty import heads_of
from emergency.models import Alert, Drill, DutyShift, Handover, ReserveItem
from hazards.models import Attachment, Hazard
from hazards.workflow import report_finding


class EmergencyError(Exception):
    """A refused action; the message says why."""


def on_shift(user: User, shift: DutyShift) -> bool:
    return shift.leading_cadre_id == user.pk or shift.officers.filter(pk=user.pk).exists()


@transaction.atomic
def hand_over(*, actor: User, shift: DutyShift, happened: str, pending: str) -> Handover:
    """The outgoing officer writes and signs the handover log of the shift."""
    if not on_shift(actor, shift):
        raise EmergencyError(_("Only someone on this shift can hand it over."))
    if Handover.objects.filter(shift=shift).exists():
        raise EmergencyError(_("This shift has already been handed over."))
    if not happened.strip():
        raise EmergencyError(_("Say what happened on the shift (write “nothing to report” if so)."))
    return Handover.objects.create(shift=shift, happened=happened.strip(), pending=pending.strip(), outgoing=actor)


def take_over(*, actor: User, handover: Handover) -> Handover:
    """The incoming officer signs that they took the shift over; the log is closed from then on."""
    if actor.pk == handover.outgoing_id:
        raise EmergencyError(_("The handover is signed by two people: someone else takes it over."))
    updated = Handover.objects.filter(pk=handover.pk, incoming_signed_at__isnull=True).update(
        incoming=actor, incoming_signed_at=timezone.now()
    )
    if not updated:
        raise EmergencyError(_("This handover has already been taken over."))
    handover.refresh_from_db()
    return handover


@transaction.atomic
def record_drill(*, actor: User, drill: Drill, findings: Iterable[Hazard] = ()) -> Drill:
    """Record a drill; each finding is put on the ledger through the workflow (it is a hazard like any)."""
    drill.recorded_by = actor
    drill.full_clean()
    drill.save()
    reported = [
        report_finding(
            actor=actor, hazard=hazard, reason=_("Found in a drill of %(plan)s.") % {"plan": drill.plan.title}
        )
        for hazard in findings
    ]
    drill.findings.add(*reported)
    return drill


def add_drill_finding(*, actor: User, drill: Drill, hazard: Hazard, attachments: Iterable[Attachment] = ()) -> Hazard:
    """A finding of a drill recorded afterwards, on the ledger through the workflow."""
    with transaction.atomic():
        reported = report_finding(
            actor=actor,
            hazard=hazard,
            attachments=attachments,
            reason=_("Found in a drill of %(plan)s.") % {"plan": drill.plan.title},
        )
        drill.findings.add(reported)
    return reported


def flagged_items(rows: QuerySet[ReserveItem], today: date) -> QuerySet[ReserveItem]:
    """Expired, expiring within the warning period, or below the minimum to keep."""
    horizon = today + timedelta(days=settings.EMERGENCY_EXPIRY_WARNING_DAYS)
    return rows.filter(Q(expires_on__lte=horizon) | Q(quantity__lt=F("minimum")))


def remind_reserves(today: date) -> int:
    """Tell each depot's body heads once about each item expiring or short (per expiry date)."""
    items = flagged_items(
        ReserveItem.objects.filter(depot__is_active=True, depot__organization__isnull=False), today
    ).select_related("depot__organization")
    alerts = [
        Alert(recipient=head, reason=Alert.Reason.RESERVE, item=item, on_date=item.expires_on or today)
        for item in items
        if item.depot.organization is not None
        for head in heads_of(item.depot.organization)
    ]
    return create_alerts(alerts)


def nearest_first(rows: QuerySet, county_code: str, *, region_field: str = "region__code") -> QuerySet:
    """Rows of the county first, then of its city, then the rest of the province."""
    return rows.annotate(
        distance=Case(
            When(**{region_field: county_code}, then=Value(0)),
            When(**{f"{region_field}__startswith": county_code[:4]}, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("distance", region_field)
