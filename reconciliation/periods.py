"""Reconciliation periods: a month (`2026-11`) or a quarter (`2026-Q4`); settings say which per industry."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Industry, Organization

MONTH = "month"
QUARTER = "quarter"


class PeriodError(ValueError):
    """Not a period: the message says what one looks like."""


@dataclass(frozen=True)
class Period:
    code: str  # "2026-Q4" or "2026-11"
    starts_on: date
    ends_on: date

    @property
    def kind(self) -> str:
        return QUARTER if "Q" in self.code else MONTH

    def __str__(self) -> str:
        return self.code

    def previous(self) -> "Period":
        return containing(self.starts_on - timedelta(days=1), self.kind)


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def parse(code: str) -> Period:
    """The period a code names; PeriodError for anything else."""
    text = (code or "").strip().upper()
    quarter = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    if quarter:
        year, number = int(quarter[1]), int(quarter[2])
        return Period(text, date(year, 3 * number - 2, 1), _month_end(year, 3 * number))
    month = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if month and 1 <= int(month[2]) <= 12:
        year, number = int(month[1]), int(month[2])
        return Period(f"{year}-{number:02d}", date(year, number, 1), _month_end(year, number))
    raise PeriodError(
        _("“%(code)s” is not a period: write a quarter such as 2026-Q4 or a month such as 2026-11.") % {"code": code}
    )


def containing(day: date, kind: str) -> Period:
    if kind == QUARTER:
        return parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse(f"{day.year}-{day.month:02d}")


def last_ended(today: date, kind: str = QUARTER) -> Period:
    """The latest period of this kind that has ended by `today`: the one to reconcile now."""
    return containing(today, kind).previous()


def monthly_industries() -> set[int]:
    """Industries reconciled every month (settings.RECONCILIATION_MONTHLY_INDUSTRIES), with their sub-categories."""
    codes = settings.RECONCILIATION_MONTHLY_INDUSTRIES
    return Industry.with_descendants(Industry.objects.filter(code__in=codes).values_list("pk", flat=True))


def units_reconciling(units: QuerySet[Organization], kind: str) -> QuerySet[Organization]:
    """The units that reconcile by this kind of period: monthly when any of their industries says so."""
    monthly = Organization.industries.through.objects.filter(industry_id__in=monthly_industries()).values(
        "organization_id"
    )
    return units.filter(pk__in=monthly) if kind == MONTH else units.exclude(pk__in=monthly)


def kind_for(unit: Organization) -> str:
    return MONTH if unit.industries.filter(pk__in=monthly_industries()).exists() else QUARTER
