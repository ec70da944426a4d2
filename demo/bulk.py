"""Writing the generated ledger fast: rows prepared in Python, written without a query per row.

`bulk_create` on SQLite; on PostgreSQL, COPY from a second thread while the next batch is generated
(a million hazards in minutes). Numbers come from `LedgerSequence` in advance, as `Hazard.save`
would issue them. The rows are those the generator replayed through the workflow's transition
table (demo/history.py): nothing here decides a state.
"""

import csv
import gc
import io
import json
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, models, transaction

from demo.hazards import BATCH_SIZE, Batch, LedgerGenerator
from hazards.models import ExtensionRequest, Hazard, HazardEvent, LedgerSequence, SubmissionRound
from inspections.models import Inspection

# insert(model, rows, ids=...) -> the new primary keys, in order, when ids is true.
Insert = Callable[..., list[int]]


def insert_batch(generator: LedgerGenerator, batch: Batch, insert: Insert) -> None:
    """Hand the batch's rows to `insert(model, rows, ids=...)`, table by table, parents first.

    `insert` returns the new primary keys when asked (`ids=True`); children refer to them.
    """
    visits = [(visit, hazards) for visit, hazards in batch if visit.inspecting is not None]
    inspection_ids = insert(
        Inspection,
        [
            {
                "inspected_on": visit.on,
                "region_id": visit.county,
                "unit_id": visit.unit,
                "site_name": visit.site_name,
                "industry_id": generator.industries[visit.industry],
                "campaign_id": visit.campaign,
                "organization_id": visit.inspecting.id if visit.inspecting is not None else None,
                "notes": f"{generator.campaign_names.get(visit.campaign or 0, '日常执法检查')}："
                f"对{visit.site_name or generator.enterprise_names[visit.unit or 0]}开展安全检查，"
                f"发现隐患{len(hazards)}处。",
                "created_by_id": visit.team[0],
                "created_at": hazards[-1].steps[0].at,
            }
            for visit, hazards in visits
        ],
        ids=True,
    )
    inspection_of = {id(visit): pk for (visit, _hazards), pk in zip(visits, inspection_ids, strict=True)}
    insert(
        Inspection.inspectors.through,
        [
            {"inspection_id": pk, "user_id": user}
            for (visit, _hazards), pk in zip(visits, inspection_ids, strict=True)
            for user in visit.team
        ],
    )

    hazards = [hazard for _visit, found in batch for hazard in found]
    for visit, found in batch:
        for hazard in found:
            hazard.row["inspection_id"] = inspection_of.get(id(visit))
    hazard_rows = [hazard.row for hazard in hazards]
    number(hazard_rows)
    hazard_ids = insert(Hazard, hazard_rows, ids=True)
    events = [
        {
            "hazard_id": pk,
            "actor_id": actor,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "reason": reason,
            "changes": changes,
            "at": at,
        }
        for hazard, pk in zip(hazards, hazard_ids, strict=True)
        for at, action, from_state, to_state, actor, reason, changes in hazard.history.events
    ]
    insert(HazardEvent, events)
    insert(
        ExtensionRequest,
        [
            {"hazard_id": pk, **request}
            for hazard, pk in zip(hazards, hazard_ids, strict=True)
            for request in hazard.history.extension_requests
        ],
    )
    insert(
        SubmissionRound,
        [
            {"hazard_id": pk, **submission}
            for hazard, pk in zip(hazards, hazard_ids, strict=True)
            for submission in hazard.history.rounds
        ],
    )
    generator.counts["hazards"] += len(hazards)
    generator.counts["inspections"] += len(visits)
    generator.counts["events"] += len(events)


@transaction.atomic
def number(hazards: list[dict]) -> None:
    """Issue `HN-<county>-<year>-<seq>` numbers from LedgerSequence, locked, in one pass.

    In a transaction of its own when called outside one: numbers are reserved like a sequence's,
    so a batch that fails later leaves a gap, never a number issued twice.
    """
    keys = {(hazard["region_id"], hazard["found_on"].year) for hazard in hazards}
    LedgerSequence.objects.bulk_create(
        [LedgerSequence(region_id=region, year=year) for region, year in keys], ignore_conflicts=True
    )
    sequences = {
        (sequence.region_id, sequence.year): sequence
        for sequence in LedgerSequence.objects.select_for_update().filter(
            region_id__in={region for region, _year in keys}, year__in={year for _region, year in keys}
        )
    }
    for hazard in hazards:
        region, year = hazard["region_id"], hazard["found_on"].year
        sequence = sequences[(region, year)]
        sequence.last += 1
        hazard["number"] = f"HN-{region}-{year}-{sequence.last:06d}"
    LedgerSequence.objects.bulk_update([sequences[key] for key in keys], ["last"])


@contextmanager
def _historical_timestamps(model) -> Iterator[None]:
    """Let bulk_create write the rows' own created/updated times instead of now: demo rows are dated.

    It changes the model's fields for the duration, so it belongs in a command, not a web process.
    """
    fields = [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector: the rows hold no cycles, and rescanning millions of them costs ~10%."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class BulkCreateRows:
    """Writes rows with Django's bulk_create: portable, fast enough for a development database."""

    def insert(self, model, rows: list[dict], *, ids: bool = False) -> list[int]:
        """Insert the rows (dicts of attnames); returns their primary keys, in order, if asked."""
        objects = [model(**row) for row in rows]
        with _historical_timestamps(model):
            model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objects] if ids else []


class CopyRows:
    """Writes rows with PostgreSQL's COPY (CSV through the C csv module), ids drawn from the sequence first.

    bulk_create spends ~50-100 µs per row preparing values; a million hazards come with six
    million events, so on PostgreSQL the rows go through COPY instead, at a few µs per row.
    `insert` only prepares a COPY (and reserves the ids); `load` runs the prepared ones in one
    transaction, so that another thread can load while the next batch is prepared.
    """

    def __init__(self):
        self.prepared: list[tuple[str, str]] = []

    def insert(self, model, rows: list[dict], *, ids: bool = False) -> list[int]:
        """Prepare the rows' COPY (dicts of attnames; a missing field takes its default); returns new ids if asked."""
        if not rows:
            return []
        meta = model._meta
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        defaults = [(field.attname, field.get_default()) for field in fields]
        table = [[row.get(name, default) for name, default in defaults] for row in rows]
        for index, model_field in enumerate(fields):
            if isinstance(model_field, models.JSONField):
                for values in table:
                    value = values[index]
                    values[index] = json.dumps(value, ensure_ascii=False) if value else ("[]" if value == [] else "{}")
        columns = [field.column for field in fields]
        pks = []
        if ids:
            pks = self._next_ids(meta.db_table, meta.pk.column, len(rows))
            columns.insert(0, meta.pk.column)
            for pk, values in zip(pks, table, strict=True):
                values.insert(0, pk)
        data = io.StringIO()
        # Every value quoted; FORCE_NULL turns the empty ones of nullable columns (None) into NULL.
        csv.writer(data, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(table)
        quote = connection.ops.quote_name
        options = "FORMAT csv"
        nullable = [quote(field.column) for field in fields if field.null]
        if nullable:
            options += f", FORCE_NULL ({', '.join(nullable)})"
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN WITH ({options})"
        self.prepared.append((sql, data.getvalue()))
        return pks

    def take(self) -> list[tuple[str, str]]:
        """The COPYs prepared since the last call."""
        prepared, self.prepared = self.prepared, []
        return prepared

    @staticmethod
    def load(prepared: list[tuple[str, str]]) -> None:
        """Run prepared COPYs in one transaction (parents first, as prepared)."""
        with transaction.atomic(), connection.cursor() as cursor:
            # Demo rows can be made again if the machine crashes: don't wait for each flush to disk.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            raw = cursor.cursor
            for sql, data in prepared:
                if hasattr(raw, "copy_expert"):  # psycopg2
                    raw.copy_expert(sql, io.StringIO(data), size=1 << 20)
                else:  # psycopg 3
                    with raw.copy(sql) as copy:
                        copy.write(data)

    @staticmethod
    def _next_ids(table: str, column: str, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return sorted(row[0] for row in cursor.fetchall())


def write_all(generator: LedgerGenerator, batches: Iterator[Batch], rows: "BulkCreateRows | CopyRows") -> None:
    """Write the batches: with bulk_create, or on PostgreSQL with COPY from a second thread.

    PostgreSQL works in its own process: while a writer thread waits for it to load one batch
    (COPY, then the foreign-key checks at commit), this thread prepares the next, so the two cores
    work at once instead of taking turns.
    """
    if isinstance(rows, BulkCreateRows):
        for batch in batches:
            with transaction.atomic():
                insert_batch(generator, batch, rows.insert)
        return
    if connection.in_atomic_block:
        # Inside a transaction (a test, a caller's atomic block) another connection would not see its rows.
        for batch in batches:
            insert_batch(generator, batch, rows.insert)
            rows.load(rows.take())
        return
    handover: queue.Queue = queue.Queue(maxsize=2)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            while (prepared := handover.get()) is not None:
                if not failures:  # after a failure keep taking batches, so that the generator never blocks
                    try:
                        rows.load(prepared)
                    except BaseException as error:
                        failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=writer, name="seed-hazards-writer")
    thread.start()
    try:
        for batch in batches:
            if failures:
                break
            insert_batch(generator, batch, rows.insert)
            handover.put(rows.take())
    finally:
        handover.put(None)
        thread.join()
    if failures:
        raise failures[0]


REBUILD_INDEXES_FROM = 100_000


@contextmanager
def indexes_rebuilt_after_large_load(adding: int) -> Iterator[None]:
    """On PostgreSQL, for a large load, drop the ledger's secondary indexes and build them again after.

    Building an index once over a million rows is several times cheaper than updating it row by row
    during COPY — above all the text-search GIN index (hazards/search.py), which would otherwise
    hold the load to a third of its speed. Unique and primary-key indexes stay: constraints need them.
    """
    if connection.vendor != "postgresql" or adding < REBUILD_INDEXES_FROM:
        yield
        return
    table = Hazard._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
               WHERE i.tablename = %s AND NOT x.indisunique AND NOT x.indisprimary""",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute(f'ANALYZE "{table}"')
