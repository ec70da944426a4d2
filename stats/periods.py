"""Reporting periods: a month, a quarter, a year, or (the forms' default) from 1 January to today."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def year_to_date(cls, today: date) -> "Period":
        return cls(date(today.year, 1, 1), today)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), following - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = cls.month(year, 3 * quarter - 2)
        return cls(first.start, cls.month(year, 3 * quarter).end)

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def is_quarter(self) -> bool:
        """A calendar quarter: the quarterly table adds a column for each part of 五落实."""
        if self.start.day != 1 or self.start.month % 3 != 1:
            return False
        return self == Period.quarter(self.start.year, (self.start.month + 2) // 3)

    def cutoff(self, today: date) -> date:
        """The last day already lived in the period: deadlines up to it are due (到期)."""
        return min(self.end, today)

    @property
    def label(self) -> str:
        if self == Period.year(self.start.year):
            return _("%(year)d") % {"year": self.start.year}
        if self.is_quarter:
            return _("Q%(quarter)d %(year)d") % {"quarter": (self.start.month + 2) // 3, "year": self.start.year}
        if self == Period.month(self.start.year, self.start.month):
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def presets(today: date) -> list[tuple[str, Period]]:
    """The periods offered as one click: this year so far, this quarter, this month, last year, last quarter."""
    quarter = (today.month + 2) // 3
    last_quarter = Period.quarter(today.year, quarter - 1) if quarter > 1 else Period.quarter(today.year - 1, 4)
    return [
        (_("This year to date"), Period.year_to_date(today)),
        (_("This quarter"), Period.quarter(today.year, quarter)),
        (_("This month"), Period.month(today.year, today.month)),
        (_("Last quarter"), last_quarter),
        (_("Last year"), Period.year(today.year - 1)),
    ]
