"""The ledger's count, apart from its pages: counted once per user and filters, then kept a few minutes.

Counting walks every matching row through the visibility rule (153 ms of a county inspector's
321 ms page at a million hazards, issue 19), while the page itself needs only its 26 rows. So the
page is drawn without it and fetches the count line afterwards (htmx, `hazards:count`), or shows it
at once when this user counted the same filters a moment ago. Counts are exact up to
LEDGER_LIST_COUNT_CAP; beyond it the line says "more than" with PostgreSQL's estimate. Every
workflow action (`hazard_changed`) starts a new generation of counts; anything else that adds rows
(an import, the demo) is seen when the kept count expires.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import QueryDict

from accounts.models import User
from hazards import listing
from hazards.visibility import HazardQuerySet

COUNT_SECONDS = 300
GENERATION_KEY = "hazards:ledger-count-generation"
# Parameters that choose a page or its look, not the rows: the same count for all of them.
NOT_FILTERS = frozenset({"page", "after", "before", "per_page", "sort", "count", "columns"})


@dataclass(frozen=True)
class LedgerCount:
    counted: int  # up to cap + 1
    cap: int
    estimate: int | None = None  # PostgreSQL's estimate of the total, when past the cap

    @property
    def is_capped(self) -> bool:
        return self.counted > self.cap

    @property
    def shown(self) -> int:
        return min(self.counted, self.cap)


def count_query(params: QueryDict) -> str:
    """The filters of a query string alone, in a stable order: the link of the count line."""
    filters = QueryDict(mutable=True)
    for name in sorted(params):
        if name not in NOT_FILTERS:
            filters.setlist(name, sorted(params.getlist(name)))
    return filters.urlencode()


def _key(user: User, params: QueryDict) -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY, generation)
    digest = hashlib.sha256(count_query(params).encode()).hexdigest()[:32]
    return f"hazards:ledger-count:{generation}:{user.pk}:{digest}"


def cached_count(user: User, params: QueryDict) -> LedgerCount | None:
    """The count this user got for these filters a moment ago, if it is still current."""
    kept = cache.get(_key(user, params))
    return LedgerCount(**json.loads(kept)) if kept else None


def count(user: User, params: QueryDict, filtered: HazardQuerySet) -> LedgerCount:
    """Count the rows of `filtered` (the filters of `params` applied) this user may see, and keep it."""
    cap = settings.LEDGER_LIST_COUNT_CAP
    counted = listing.count_rows(filtered, user=user, cap=cap)
    estimate = None
    if counted > cap and connections[filtered.db].vendor == "postgresql":
        plan = json.loads(filtered.visible_to(user).order_by().values("pk").explain(format="json"))
        estimate = max(int(plan[0]["Plan"]["Plan Rows"]), counted)
    result = LedgerCount(counted=counted, cap=cap, estimate=estimate)
    cache.set(_key(user, params), json.dumps(result.__dict__), COUNT_SECONDS)
    return result


def forget_counts(**kwargs) -> None:
    """A new generation of counts (connected to `hazard_changed` in HazardsConfig.ready)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
