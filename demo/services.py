"""The demo's entry points: `seed_demo` (people) and `seed_hazards` (the ledger), as `seed_demo` calls them."""

from collections import defaultdict
from datetime import date

from django.db import connection
from django.utils import timezone

from demo.bulk import BulkCreateRows, CopyRows, indexes_rebuilt_after_large_load, without_cyclic_gc, write_all
from demo.emergency import seed_emergency
from demo.hazards import DemoSeedError, LedgerGenerator
from demo.people import PERSONAS, seed_demo
from hazards.models import Hazard, HazardState
from hazards.responsibility import resolve_chain

__all__ = ["PERSONAS", "DemoSeedError", "seed_demo", "seed_emergency", "seed_hazards", "snapshot_chains"]


def seed_hazards(*, count: int, today: date | None = None, seed: int = 2026) -> dict:
    """Top the ledger up to `count` hazards of realistic demo findings; returns what it made.

    Findings spread over the two years before `today` (default: the local date), mostly in the demo
    counties, each with the inspection that found it and its history up to today: a mature ledger,
    mostly closed, with work in progress, overdue items and a few void. Running it again with the
    same `count` creates nothing. Needs `seed_demo` first (raises DemoSeedError).
    The result has `hazards`, `inspections`, `events` and `users` created, the ledger's `total`
    and the number of demo `campaigns`.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    rows: CopyRows | BulkCreateRows
    if connection.vendor == "postgresql":
        rows = CopyRows()
    elif connection.features.can_return_rows_from_bulk_insert:
        rows = BulkCreateRows()
    else:
        raise DemoSeedError("seeding hazards needs PostgreSQL or SQLite 3.35+ (ids back from bulk inserts)")
    today = today or timezone.localdate()
    existing = Hazard.objects.count()
    generator = LedgerGenerator(today=today, seed=seed, existing=existing, ledger_size=max(count, existing))
    campaigns = generator.ensure_campaigns()
    if count > existing:
        with without_cyclic_gc(), indexes_rebuilt_after_large_load(count - existing):
            write_all(generator, generator.batches(count - existing), rows)
        snapshot_chains()
    return {**generator.counts, "total": existing + generator.counts["hazards"], "campaigns": len(campaigns)}


def snapshot_chains() -> int:
    """Give demo hazards still in work the responsibility chain the workflow would have stored at assignment.

    Rows are written in bulk, so the chain is resolved once per (county, industry, unit) and set with
    one UPDATE per group, with the people named on it. Closed and void history keeps no chain: resolving
    it for every group of a large ledger would cost minutes. Returns how many hazards got a chain.
    """
    in_work = (HazardState.ASSIGNED, HazardState.RECTIFYING, HazardState.SUBMITTED, HazardState.VERIFIED)
    # One read of the pending rows, grouped here: a query per group would scan the ledger each time.
    groups: dict[tuple, list[int]] = defaultdict(list)
    pending = Hazard.objects.filter(responsibility_chain=[], state__in=in_work)
    for pk, *key in pending.values_list("pk", "region_id", "industry_id", "rectifying_unit_id", "unit_id").iterator(
        chunk_size=20_000
    ):
        groups[tuple(key)].append(pk)
    updated = 0
    named = Hazard.named_users.through
    for (region_id, industry_id, rectifying_unit_id, unit_id), hazard_ids in groups.items():
        sample = Hazard(
            region_id=region_id, industry_id=industry_id, rectifying_unit_id=rectifying_unit_id, unit_id=unit_id
        )
        chain = resolve_chain(sample)
        updated += Hazard.objects.filter(pk__in=hazard_ids).update(responsibility_chain=chain)
        user_ids = {entry["user_id"] for entry in chain if entry.get("user_id")}
        named.objects.bulk_create(
            [named(hazard_id=hazard_id, user_id=user_id) for hazard_id in hazard_ids for user_id in user_ids],
            ignore_conflicts=True,
            batch_size=5_000,
        )
    return updated
