"""Reminding units that have not reconciled a period N days after it ended, on the reminder ladder's channels.

Each (unit, period, person) is reminded at most once: a `ReconciliationReminder` row with a unique
key, as the ladder's rows are, so that a rerun sends nothing twice. The message is an in-app notice
with outbox deliveries by e-mail and to the unit's chat robot (notifications.delivery.plan_news).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.roles import Role
from notifications.delivery import plan_news
from notifications.models import ChannelPreference, Notification
from reconciliation.models import Reconciliation, ReconciliationReminder
from reconciliation.periods import MONTH, QUARTER, Period, last_ended, units_reconciling


def units_not_reconciled(period: Period) -> QuerySet[Organization]:
    """Units (not closed) of the register reconciling by this kind of period that have not signed it."""
    signed = Reconciliation.objects.filter(
        period=period.code, state__in=[Reconciliation.State.UNIT_CONFIRMED, Reconciliation.State.CONFIRMED]
    ).values("unit_id")
    units = Organization.objects.filter(kind__in=Organization.REGISTER_KINDS).exclude(status=Organization.Status.CLOSED)
    return units_reconciling(units, period.kind).exclude(pk__in=signed)


def _notice(person: User, unit: Organization, period: Period) -> Notification:
    """The in-app notice for one person of a late unit, written in the person's language."""
    with translation.override(ChannelPreference.for_user(person).language):
        text = _(
            "%(unit)s has not reconciled %(period)s yet: please check its list of hazards item by item and confirm it"
        ) % {
            "unit": unit.name,
            "period": period.code,
        }
    return Notification(
        recipient=person,
        kind=Notification.Kind.NOTICE,
        note=text,
        link=reverse("reconciliation:detail", args=[unit.pk, period.code]),
    )


def remind_unreconciled(*, today: date | None = None) -> int:
    """Remind the users of each unit that has not reconciled its last period, N days after it ended.

    Each person gets an in-app notice; e-mail and the unit's chat robot follow through the delivery
    outbox (retries, the robot's rate limit, one merged robot message per unit), as the person chose.
    """
    today = today or timezone.localdate()
    wait = timedelta(days=settings.RECONCILIATION_REMIND_AFTER_DAYS)
    sent = 0
    for kind in (QUARTER, MONTH):
        period = last_ended(today, kind)
        if today < period.ends_on + wait:
            continue
        late = units_not_reconciled(period)
        people = User.objects.filter(organization__in=late, is_active=True, groups__name=Role.RECTIFYING_UNIT)
        already = set(
            ReconciliationReminder.objects.filter(period=period.code, unit__in=late).values_list(
                "unit_id", "recipient_id"
            )
        )
        wanted = [
            person
            for person in people.select_related("organization", "channel_preference")
            if (person.organization_id, person.pk) not in already
        ]
        with transaction.atomic():
            created = ReconciliationReminder.objects.bulk_create(
                [
                    ReconciliationReminder(unit=person.organization, period=period.code, recipient=person)
                    for person in wanted
                ],
                ignore_conflicts=True,
            )
            units = [(person, person.organization) for person in wanted if person.organization is not None]
            notices = Notification.objects.bulk_create([_notice(person, unit, period) for person, unit in units])
            by_unit: dict[int, list[int]] = {}
            for notice, (_person, unit) in zip(notices, units, strict=True):
                by_unit.setdefault(unit.pk, []).append(notice.pk)
            for unit_id, notice_ids in by_unit.items():
                plan_news(notice_ids, topic=f"reconciliation:{unit_id}:{period.code}")
        sent += len(created)
    return sent
