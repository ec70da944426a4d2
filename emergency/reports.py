"""Information reports (信息报送): filing a first report, its follow-ups and final report, acknowledgement
by the level above, and escalation when nobody acknowledges in time — each at most once.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Region, User
from accounts.scope import counties_for, sees_everything
from emergency.alerts import create_alerts
from emergency.duty import people_on_duty
from emergency.models import Alert, QuickReport
from emergency.visibility import duty_region, in_duty_scope, is_above, is_duty_user
from hazards.models import Hazard


class ReportError(Exception):
    """A refused report action; the message says why, in the user's language."""


def can_file(user: User) -> bool:
    return is_duty_user(user)


def _check_region(actor: User, region: Region) -> None:
    if not counties_for(actor).filter(pk=region.pk).exists() or not (
        sees_everything(actor) or duty_region(actor) is not None
    ):
        raise ReportError(_("You may report only for a county of your own jurisdiction."))


def _level_above(region: Region) -> Region | None:
    return region.parent


def _alert_level_above(report: QuickReport, reason: str, *, region: Region | None) -> int:
    if region is None:
        return 0
    people = people_on_duty(region)
    return create_alerts([Alert(recipient=person, reason=reason, report=report) for person in people])


@transaction.atomic
def file_report(*, actor: User, report: QuickReport, hazards: Iterable[Hazard] = ()) -> QuickReport:
    """File a first report (快报): it goes at once to whoever is on duty at the level above."""
    if not can_file(actor):
        raise ReportError(_("Only duty rooms and government staff file information reports."))
    _check_region(actor, report.region)
    if report.occurred_at > timezone.now() + timedelta(minutes=5):
        raise ReportError(_("The time of the event cannot be in the future."))
    report.stage = QuickReport.Stage.FIRST
    report.first = None
    report.reporter = actor
    report.reporting_body = actor.organization
    report.reported_at = timezone.now()
    report.full_clean()
    report.save()
    report.related_hazards.set(_visible_hazards(actor, report, hazards))
    _alert_level_above(report, Alert.Reason.REPORT_FILED, region=_level_above(report.region))
    return report


def _visible_hazards(actor: User, report: QuickReport, hazards: Iterable[Hazard]) -> list[Hazard]:
    """Only hazards the reporter may see, and only of the report's unit, can be linked."""
    ids = [hazard.pk for hazard in hazards]
    if not ids:
        return []
    rows = Hazard.objects.visible_to(actor).filter(pk__in=ids)
    if report.unit_id:
        rows = rows.filter(unit_id=report.unit_id)
    return list(rows)


@transaction.atomic
def follow_up(*, actor: User, first: QuickReport, report: QuickReport, final: bool = False) -> QuickReport:
    """A follow-up report (续报), or the final one (终报) that closes the chain."""
    first = QuickReport.objects.select_for_update().get(pk=first.pk)
    if first.stage != QuickReport.Stage.FIRST:
        raise ReportError(_("Follow-ups attach to the first report of a chain."))
    if first.closed_at is not None:
        raise ReportError(_("This report was closed by its final report; file a new report for a new event."))
    _check_region(actor, first.region)
    report.first = first
    report.stage = QuickReport.Stage.FINAL if final else QuickReport.Stage.FOLLOW_UP
    report.region = first.region
    report.unit = first.unit
    report.category = report.category or first.category
    report.occurred_at = first.occurred_at
    report.reporter = actor
    report.reporting_body = actor.organization
    report.reported_at = timezone.now()
    report.full_clean()
    report.save()
    if final:
        first.closed_at = report.reported_at
        first.save(update_fields=["closed_at"])
    _alert_level_above(report, Alert.Reason.REPORT_FILED, region=_level_above(first.region))
    return report


def acknowledge(*, actor: User, report: QuickReport) -> QuickReport:
    """The level above confirms it has the report (签收); the first to do so is recorded."""
    if report.stage != QuickReport.Stage.FIRST:
        raise ReportError(_("Only the first report of a chain is acknowledged."))
    if not is_above(actor, report.region):
        raise ReportError(_("The report is acknowledged by the duty room of the level above the county."))
    updated = QuickReport.objects.filter(pk=report.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=actor, acknowledged_at=timezone.now()
    )
    report.refresh_from_db()
    if not updated:
        raise ReportError(_("Already acknowledged by %(name)s.") % {"name": report.acknowledged_by})
    return report


def escalate_unacknowledged(*, now: datetime | None = None) -> int:
    """First reports nobody acknowledged within the set minutes go to the level above that, once."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.EMERGENCY_ACKNOWLEDGE_WITHIN_MINUTES)
    due = QuickReport.objects.filter(
        stage=QuickReport.Stage.FIRST, acknowledged_at__isnull=True, escalated_at__isnull=True, reported_at__lte=cutoff
    ).select_related("region__parent__parent")
    escalated = 0
    for report in due:
        # The conditional update is the once-only guard: two workers, one escalation.
        if not QuickReport.objects.filter(pk=report.pk, escalated_at__isnull=True).update(escalated_at=now):
            continue
        escalated += 1
        above = _level_above(report.region)
        recipients = people_on_duty(above, now, leading_cadres_only=True) if above is not None else []
        if above is not None and above.parent is not None:
            recipients += people_on_duty(above.parent, now)
        create_alerts(
            [Alert(recipient=person, reason=Alert.Reason.REPORT_ESCALATED, report=report) for person in recipients]
        )
    return escalated


def reports_visible_to(user) -> QuerySet[QuickReport]:
    return in_duty_scope(QuickReport.objects.all(), user, code_field="region__code")
