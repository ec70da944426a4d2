"""Reminding units that have not reconciled a period N days after it ended, on the reminder ladder's channels.

Each (unit, period, person) is reminded at most once: a `ReconciliationReminder` row with a unique
key, as the ladder's rows are, so that a rerun sends nothing twice. The message goes by e-mail to
the unit's users and to the unit's chat robot when it has one (notifications.channels).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.roles import Role
from notifications.channels import DeliveryFailure, post_webhook, send_email
from notifications.messages import Message, absolute
from reconciliation.models import Reconciliation, ReconciliationReminder
from reconciliation.periods import MONTH, QUARTER, Period, last_ended, units_reconciling


def units_not_reconciled(period: Period) -> QuerySet[Organization]:
    """Units (not closed) of the register reconciling by this kind of period that have not signed it."""
    signed = Reconciliation.objects.filter(
        period=period.code, state__in=[Reconciliation.State.UNIT_CONFIRMED, Reconciliation.State.CONFIRMED]
    ).values("unit_id")
    units = Organization.objects.filter(kind__in=Organization.REGISTER_KINDS).exclude(status=Organization.Status.CLOSED)
    return units_reconciling(units, period.kind).exclude(pk__in=signed)


def _message(unit: Organization, period: Period) -> Message:
    url = absolute(reverse("reconciliation:detail", args=[unit.pk, period.code]))
    headline = _("%(unit)s has not reconciled %(period)s yet") % {"unit": unit.name, "period": period.code}
    body = _("Please check the unit's list of hazards for %(period)s item by item and confirm it: %(url)s") % {
        "period": period.code,
        "url": url,
    }
    return Message(
        subject=_("[Hunan Safety] %(headline)s") % {"headline": headline}, body=body, chat=f"{headline}\n{url}", url=url
    )


def remind_unreconciled(*, today: date | None = None) -> int:
    """Remind the users of each unit that has not reconciled its last period, N days after it ended."""
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
            for person in people.select_related("organization")
            if (person.organization_id, person.pk) not in already
        ]
        created = ReconciliationReminder.objects.bulk_create(
            [
                ReconciliationReminder(unit=person.organization, period=period.code, recipient=person)
                for person in wanted
            ],
            ignore_conflicts=True,
        )
        robots_told: set[int] = set()
        for person in wanted:
            unit = person.organization
            assert unit is not None
            message = _message(unit, period)
            try:
                if person.email:
                    send_email(address=person.email, message=message)
                if unit.webhook_url and unit.pk not in robots_told:
                    robots_told.add(unit.pk)
                    post_webhook(url=unit.webhook_url, message=message, delivery_id=0)
            except DeliveryFailure:
                continue  # the row stays: the unit's list page still shows the reconciliation as missing
        sent += len(created)
    return sent
