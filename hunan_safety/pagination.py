"""Pagination that never counts a million rows to draw one page."""

import json
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: `SELECT count(*) FROM (… LIMIT cap + 1)`.

    An exact count of a province's ledger costs a scan of every matching row (about 30 ms at a
    million rows, 300 ms at ten million) on every page view, and pages past the first few thousand
    rows cost an OFFSET that grows with them; nobody pages that deep — they filter or export. So
    the list counts exactly up to the cap, offers the pages within it, and beyond it says "more
    than <cap>" with the planner's estimate (`approximate_count`), which costs one EXPLAIN.
    """

    # From this row on, a page reads its keys first (see `page`).
    KEYS_FIRST_FROM = 1000
    # A queryset, not any sequence: it is counted, ordered and explained in SQL.
    object_list: QuerySet[Any]

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, cap: int, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.rows = rows

    def page(self, number):
        """A page; deep in the list, its keys first, then the rows with their joins for those keys.

        OFFSET skips rows one by one: for page 200 through the joined, annotated query it costs the
        joins of 5,000 rows. The keys alone come from the table and its (found_on, id) index, and
        `rows(keys)` (given by the view) loads the 25 rows of the page with what the page shows.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.rows is None or bottom < self.KEYS_FIRST_FROM:
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        loaded = {row.pk: row for row in self.rows(keys)}
        return Page([loaded[key] for key in keys if key in loaded], number, self)

    @cached_property
    def _counted(self) -> int:
        # Neither the order nor the page's annotations (a photo subquery per row) matter to a count;
        # the row past the cap only says that there are more.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        """The rows offered: all of them up to the cap, else the cap (pages stop there)."""
        return min(self._counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def approximate_count(self) -> int | None:
        """PostgreSQL's estimate of the rows when the cap is reached (never below it); else None."""
        from django.db import connections

        if not self.is_capped or connections[self.object_list.db].vendor != "postgresql":
            return None
        plan = json.loads(self.object_list.order_by().values("pk").explain(format="json"))
        return max(int(plan[0]["Plan"]["Plan Rows"]), self._counted)
