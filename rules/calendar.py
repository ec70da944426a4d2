"""The working-day calendar (工作日): the State Council's schedule with its make-up days (调休).

Where a date's year is known: the administrators' table (`HolidaySchedule`, `ScheduleDay`) wins, then
the chinesecalendar package (its data stops at the last schedule published before its release; it
raises NotImplementedError beyond). A year neither covers counts Monday–Friday as working days, and
the admin and /healthz say so, rather than any deadline failing.

Counting convention, as for official time limits: N working days from D are the first N working days
after D, so the result is the N-th one; `working_days_between(start, end)` counts the working days in
(start, end], negative when end is before start.
"""

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _

from rules.models import HolidaySchedule, ScheduleDay

logger = logging.getLogger(__name__)


@functools.cache
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass
class WorkingCalendar:
    """A snapshot of the table (two small queries) answering working-day questions without more queries."""

    overrides: dict[date, bool]  # date -> is a working day, from the administrators' table
    admin_years: set[int]
    _fallback_years: set[int] = field(default_factory=set)
    _known: dict[date, bool] = field(default_factory=dict)
    # Running count of working days from _base (exclusive): counts over long spans are two lookups.
    _base: date | None = None
    _counts: list[int] = field(default_factory=list)

    @classmethod
    def load(cls) -> "WorkingCalendar":
        return cls(
            overrides={
                day: kind == ScheduleDay.Kind.WORKING_DAY
                for day, kind in ScheduleDay.objects.values_list("day", "kind")
            },
            admin_years=set(HolidaySchedule.objects.values_list("year", flat=True)),
        )

    def source(self, year: int) -> str | None:
        """Who knows the year's schedule: "admin", "package", or None (Monday–Friday is assumed)."""
        if year in self.admin_years:
            return "admin"
        return "package" if _package_covers(year) else None

    def is_working_day(self, day: date) -> bool:
        if day not in self._known:
            self._known[day] = self._is_working_day(day)
        return self._known[day]

    def _is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self.admin_years and day.year not in self._fallback_years:
                self._fallback_years.add(day.year)
                logger.warning("No holiday schedule for %s: counting Monday to Friday as working days", day.year)
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (before it when negative); `start` itself when 0."""
        step = 1 if days >= 0 else -1
        day, left = start, abs(days)
        while left:
            day += timedelta(days=step)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative, counting (end, start], when `end` is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return self._count_to(end) - self._count_to(start)

    def _count_to(self, day: date) -> int:
        """Working days in (_base, day]."""
        if self._base is None or day < self._base:
            self._base, self._counts = day - timedelta(days=366), [0]
        offset = (day - self._base).days
        while len(self._counts) <= offset:
            next_day = self._base + timedelta(days=len(self._counts))
            self._counts.append(self._counts[-1] + self.is_working_day(next_day))
        return self._counts[offset]

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """The years among `years` that neither the table nor the package covers."""
        return sorted(year for year in set(years) if self.source(year) is None)


def working_calendar() -> WorkingCalendar:
    """The calendar as the administrators' table stands now."""
    return WorkingCalendar.load()


def years_to_watch(today: date | None = None) -> list[int]:
    """This year, and next year from November on, when its schedule is due to be published."""
    today = today or timezone.localdate()
    return [today.year, today.year + 1] if today.month >= 11 else [today.year]


def health() -> str:
    """The /healthz field: "ok", or which years fall back to Monday–Friday."""
    missing = working_calendar().missing_years(years_to_watch())
    if not missing:
        return "ok"
    return _("no holiday schedule for %(years)s: Monday to Friday are counted as working days") % {
        "years": ", ".join(map(str, missing))
    }
