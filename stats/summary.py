"""Reading the tallies (stats/models.py) in place of the ledger's rows, for a user's scope and a period.

The visibility rule still decides. Its arms (hazards/visibility.py) are a jurisdiction — a region's
subtree and, for a sector department, its industries — and a few narrow sets (what the user found,
the inspections they were on, the chains that name them). The tallies hold region and industry, so
they answer the jurisdiction; the narrow sets, minus what the jurisdiction already holds, are counted
from the ledger (`Split.rest`). Provincial staff see everything: the tallies alone. A user without a
jurisdiction (a rectifying unit, a finder) is counted from the ledger.

Time: a tally row is a month of findings, so a period's whole months come from the tallies
(`Cover`), and its partial months (today's month in a year to date, say) from the ledger. The months
of a deadline, an acceptance and a closing in the tally answer "by the period's end" when that end
is a month's last day — or today or later, since the workflow never dates an acceptance or a closing
after now. A deadline that falls in today's month needs the day: those findings are read live,
through the (state, deadline) index, as is open work (overdue and due-but-not-rectified), which is
a few percent of the ledger.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.scope import is_usable, sees_everything
from hazards.models import Hazard
from hazards.visibility import visibility_arms
from stats import tally
from stats.periods import Period


def month_start(day: date) -> date:
    return day.replace(day=1)


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


@dataclass(frozen=True)
class Split:
    """A user's scope as the tallies' part (`area`, a filter on region and industry) and the ledger's (`rest`)."""

    area: Q  # on FindingTally, UnitTally and Hazard alike (the same field names); Q() for the whole province
    rest: QuerySet | None  # visible hazards outside the area; None when there are none by construction


def split_scope(user: User, using: str = "default") -> Split | None:
    """The user's scope split for the tallies; None when they cannot be used (no jurisdiction, no triggers)."""
    if not is_usable(user) or not tally.in_use(using):
        return None
    if sees_everything(user):
        return Split(Q(), None)
    arms = visibility_arms(user)
    if arms is None:
        return Split(Q(), None)
    if arms.area is None:
        return None
    # The narrow arms as a union of their keys, each read from its own index (as visible_to does for
    # a narrow scope): ORed in one WHERE they would make PostgreSQL test every row of the ledger.
    keys = [Hazard.objects.filter(arm).order_by().values("pk") for arm in arms.arms if arm is not arms.area]
    rest = Hazard.objects.filter(pk__in=keys[0].union(*keys[1:], all=True)).exclude(arms.area)
    return Split(arms.area, rest)


@dataclass(frozen=True)
class Cover:
    """The whole months of a period that the tallies count: found on `first`–`last` (both days included)."""

    first: date
    last: date

    @property
    def months(self) -> Q:
        """The covered months, as a filter on a tally."""
        return Q(month__gte=self.first, month__lte=month_start(self.last))

    @property
    def found(self) -> Q:
        """The covered days, as a filter on hazards."""
        return Q(found_on__gte=self.first, found_on__lte=self.last)

    def edges(self, period: Period) -> list[tuple[date, date]]:
        """The period's days outside the covered months (before and after them), read from the ledger."""
        edges = [(period.start, self.first - timedelta(days=1)), (self.last + timedelta(days=1), period.end)]
        return [(start, end) for start, end in edges if start <= end]


def cover(period: Period, today: date) -> Cover | None:
    """The whole months of the period the tallies can answer exactly; None when there are none.

    "By the period's end" is read from months, so the end must be a month's last day, or today or
    later (nothing is accepted or closed in the future).
    """
    if not (is_month_end(period.end) or period.end >= today):
        return None
    first = period.start if period.start.day == 1 else (period.start.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = period.end if is_month_end(period.end) else month_start(period.end) - timedelta(days=1)
    return Cover(first, last) if first <= last else None


def due_by(cutoff: date) -> tuple[Q, tuple[date, date] | None]:
    """Deadlines on or before `cutoff`, on a tally: the months wholly before it, and the days left (read live)."""
    if is_month_end(cutoff):
        return Q(deadline_month__lte=month_start(cutoff)), None
    return Q(deadline_month__lt=month_start(cutoff)), (month_start(cutoff), cutoff)
