"""The duty roster's rules: who is on duty now, which days need a leading cadre, where the gaps are."""

import calendar as month_calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization, Post, Region, User
from accounts.roles import Role
from emergency.alerts import create_alerts
from emergency.models import Alert, DutyShift
from rules.calendar import WorkingCalendar, working_calendar

# Bodies that keep a duty roster (值班值守): governments and their departments.
DUTY_BODY_KINDS = (Organization.Kind.GOVERNMENT, Organization.Kind.DEPARTMENT)


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    """A working day of the official schedule (rules/calendar.py: make-up days, the administrators' table)."""
    return (calendar or working_calendar()).is_working_day(day)


def needs_leading_cadre(day: date, calendar: WorkingCalendar | None = None) -> bool:
    """Holidays and rest days need a leading cadre on duty (带班); every day when settings say so."""
    return settings.EMERGENCY_LEADING_CADRE_EVERY_DAY or not is_working_day(day, calendar)


def put_shift(
    organization: Organization,
    day: date,
    *,
    kind: str = DutyShift.Kind.FULL_DAY,
    leading_cadre: User | None = None,
    officers: Iterable[User] = (),
    phone: str = "",
) -> DutyShift:
    """Put a shift on the body's roster (or change the one of that day and kind), with its usual hours."""
    starts, ends = DutyShift.span(day, kind)
    shift, _created = DutyShift.objects.update_or_create(
        organization=organization,
        duty_date=day,
        kind=kind,
        defaults={"starts_at": starts, "ends_at": ends, "leading_cadre": leading_cadre, "phone": phone},
    )
    shift.officers.set(list(officers))
    return shift


def on_duty(region: Region, at: datetime | None = None) -> QuerySet[DutyShift]:
    """The shifts under way at `at` (now) at the bodies of `region` itself."""
    at = at or timezone.now()
    return (
        DutyShift.objects.filter(organization__region=region, starts_at__lte=at, ends_at__gt=at)
        .select_related("organization", "leading_cadre")
        .prefetch_related("officers")
        .order_by("organization__name", "starts_at")
    )


def people_on_duty(region: Region, at: datetime | None = None, *, leading_cadres_only: bool = False) -> list[User]:
    """Who answers the duty phone of `region` now; the region's duty officers when no roster covers now."""
    people: dict[int, User] = {}
    for shift in on_duty(region, at):
        if shift.leading_cadre is not None:
            people[shift.leading_cadre.pk] = shift.leading_cadre
        if not leading_cadres_only:
            for officer in shift.officers.all():
                people[officer.pk] = officer
    if not people:
        fallback = User.objects.filter(is_active=True, groups__name=Role.DUTY_OFFICER).filter(
            Q(region=region) | Q(region__isnull=True, organization__region=region)
        )
        people = {user.pk: user for user in fallback}
    return [person for person in people.values() if person.is_active]


@dataclass
class RosterDay:
    day: date
    shifts: list[DutyShift] = field(default_factory=list)
    needs_leader: bool = False
    is_rest_day: bool = False

    @property
    def has_leader(self) -> bool:
        return any(shift.leading_cadre_id for shift in self.shifts)

    @property
    def is_gap(self) -> bool:
        return self.needs_leader and not self.has_leader


def month_days(month: date) -> list[date]:
    first = month.replace(day=1)
    return [first + timedelta(days=offset) for offset in range(month_calendar.monthrange(first.year, first.month)[1])]


def roster(organization: Organization, days: list[date]) -> list[RosterDay]:
    """The body's roster over `days`, with the days that need a leading cadre and have none."""
    by_day: dict[date, list[DutyShift]] = defaultdict(list)
    shifts = (
        DutyShift.objects.filter(organization=organization, duty_date__in=days)
        .select_related("leading_cadre")
        .prefetch_related("officers")
    )
    for shift in shifts:
        by_day[shift.duty_date].append(shift)
    calendar = working_calendar()  # one read of the administrators' table for the whole month
    return [
        RosterDay(
            day=day,
            shifts=by_day[day],
            needs_leader=needs_leading_cadre(day, calendar),
            is_rest_day=not is_working_day(day, calendar),
        )
        for day in days
    ]


def gaps(organization: Organization, days: list[date]) -> list[date]:
    return [entry.day for entry in roster(organization, days) if entry.is_gap]


def bodies_keeping_a_roster(since: date) -> QuerySet[Organization]:
    """Duty bodies with a roster: any shift from `since` on (a body that keeps none is not chased)."""
    return Organization.objects.filter(kind__in=DUTY_BODY_KINDS, is_active=True).filter(
        Exists(DutyShift.objects.filter(organization=OuterRef("pk"), duty_date__gte=since))
    )


def heads_of(organization: Organization) -> list[User]:
    """Who answers for the body's roster: its principal and its department heads."""
    principals = User.objects.filter(
        is_active=True,
        posts__organization=organization,
        posts__duty=Post.Duty.PRINCIPAL,
        posts__is_active=True,
    )
    heads = User.objects.filter(is_active=True, organization=organization, groups__name=Role.DEPARTMENT_HEAD)
    return list({user.pk: user for user in [*principals, *heads]}.values())


def remind_roster_gaps(today: date) -> int:
    """Tell each body's heads, once per gap, of days within the notice period with no leading cadre."""
    horizon = [today + timedelta(days=offset) for offset in range(settings.EMERGENCY_GAP_NOTICE_DAYS + 1)]
    alerts = [
        Alert(recipient=head, reason=Alert.Reason.ROSTER_GAP, organization=body, on_date=day)
        for body in bodies_keeping_a_roster(today - timedelta(days=60))
        for day in gaps(body, horizon)
        for head in heads_of(body)
    ]
    return create_alerts(alerts)
