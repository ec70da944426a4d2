"""The indicators of the official statistics tables, each written once as a filter on hazards.

The statistics (stats/) count with these conditions and the ledger's filters (hazards/filters.py)
list with the same ones, so that a figure's link opens exactly the hazards it counts. Dates are
days in the project's time zone; "by a day" means on or before it. Voided findings count nowhere.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import F, Q
from django.utils import timezone

from hazards.states import HazardState

# The states in which a rectification has been accepted (已整改): accepted, or closed since.
RECTIFIED_STATES = (HazardState.VERIFIED, HazardState.CLOSED)
# The states in which the unit has handed in its work (on time if it did so by the deadline).
HANDED_IN_STATES = (HazardState.SUBMITTED, HazardState.VERIFIED, HazardState.CLOSED)
# Open: still on the ledger's books, whatever step it is at.
OPEN_STATES = (
    HazardState.REPORTED,
    HazardState.ASSIGNED,
    HazardState.RECTIFYING,
    HazardState.SUBMITTED,
    HazardState.VERIFIED,
)

# 五落实: the five parts of a major hazard's plan, each a field that must be filled.
PLAN_PARTS = {
    "goals": Q(goals__gt=""),  # 治理目标任务
    "funds": Q(funds__isnull=False),  # 治理经费物资
    "people": Q(responsible_person__gt=""),  # 治理机构人员
    "time": Q(deadline__isnull=False),  # 治理时间要求
    "contingency": Q(contingency_plan__gt=""),  # 安全措施应急预案
}


def _end_of(day: date) -> datetime:
    """The first moment after `day` in the project's time zone: "on or before day" is "before this".

    A comparison of the stored moment with a constant, not a conversion of every row's timestamp
    to a local date: the statistics compare a few hundred thousand rows at a time.
    """
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())


def counted() -> Q:
    """Every finding but a voided one: a mistaken entry counts nowhere."""
    return ~Q(state=HazardState.VOID)


def rectified_by(day: date) -> Q:
    """Rectification accepted on or before `day` (已整改)."""
    return Q(state__in=RECTIFIED_STATES, verified_at__lt=_end_of(day))


def closed_by(day: date) -> Q:
    """Account cancelled (销号) on or before `day`."""
    return Q(state=HazardState.CLOSED, closed_at__lt=_end_of(day))


def closed_since(day: date) -> Q:
    """Account cancelled on or after `day`."""
    return Q(state=HazardState.CLOSED, closed_at__gte=_end_of(day - timedelta(days=1)))


def open_on(day: date) -> Q:
    """Found by `day` and not closed by then: on the books at the end of that day."""
    return counted() & Q(found_on__lte=day) & (Q(closed_at__isnull=True) | Q(closed_at__gte=_end_of(day)))


def planned_by(day: date) -> Q:
    """Assigned (deadline and unit fixed: on a governance plan) on or before `day`."""
    return Q(assigned_at__lt=_end_of(day))


def plan_has(parts) -> Q:
    """The plan has every one of these parts of 五落实 (PLAN_PARTS keys)."""
    rule = Q()
    for part in parts:
        rule &= PLAN_PARTS[part]
    return rule


def listed() -> Q:
    """Under listed supervision (挂牌督办) at any level."""
    return ~Q(listed_level="")


def due_by(day: date) -> Q:
    """The deadline fell on or before `day` (到期)."""
    return Q(deadline__lte=day)


def on_time() -> Q:
    """Handed in for acceptance by its deadline (按期整改)."""
    return Q(state__in=HANDED_IN_STATES, submitted_at__date__lte=F("deadline"))
