"""Keeping the statistics' summary (stats/models.py) in step with the ledger, and proving it.

Statement-level triggers on the ledger's table add each written statement's change to the tallies
in the same transaction: a finding's old tally key loses it, its new one gains it. One statement
is one upsert, sorted by key, whether it wrote one finding (a workflow action) or fifty thousand
(an import, a bulk load with COPY). A save that changes nothing counted nets to zero and writes
nothing. Every path that writes the table is covered, so none needs to remember the statistics.

The key of a finding is written once, below, in SQL (`KEY`); the triggers, the rebuild and the
check all use it. The statistics read the tallies only on PostgreSQL with the triggers installed
(`in_use`); elsewhere (the embedded SQLite demo) they count the ledger itself.
"""

from django.conf import settings
from django.db import connections, transaction

from hazards.indicators import HANDED_IN_STATES, RECTIFIED_STATES
from hazards.states import HazardState

HAZARDS = "hazards_hazard"
FINDINGS = "stats_findingtally"
UNITS = "stats_unittally"
TRIGGERS = ("stats_tally_insert", "stats_tally_update", "stats_tally_delete")


def _states(states) -> str:
    return ", ".join(f"'{state}'" for state in states)


def _local_month(column: str) -> str:
    """The first day of the month of a moment, in the project's time zone (as indicators._end_of reads days)."""
    return f"date_trunc('month', h.{column} AT TIME ZONE '{settings.TIME_ZONE}')::date"


# The tally key of a finding (`h`), in the order of stats.models.TALLY_KEY. on_time and the months
# of acceptance and closing follow hazards/indicators.py: on_time(), rectified_by(), closed_by().
KEY = {
    "month": "date_trunc('month', h.found_on)::date",
    "region_id": "h.region_id",
    "industry_id": "h.industry_id",
    "level": "h.level",
    "self_found": "h.source = 'self_check'",
    "on_time": (
        f"coalesce(h.state IN ({_states(HANDED_IN_STATES)}) "
        f"AND (h.submitted_at AT TIME ZONE '{settings.TIME_ZONE}')::date <= h.deadline, false)"
    ),
    "deadline_month": "date_trunc('month', h.deadline)::date",
    "verified_month": f"CASE WHEN h.state IN ({_states(RECTIFIED_STATES)}) THEN {_local_month('verified_at')} END",
    "closed_month": f"CASE WHEN h.state = '{HazardState.CLOSED}' THEN {_local_month('closed_at')} END",
}
UNIT_KEY = {name: KEY[name] for name in ("month", "region_id", "industry_id")} | {"unit_id": "h.unit_id"}
# Voided findings count nowhere; the unit tally counts only findings with a registered unit.
COUNTED = f"h.state <> '{HazardState.VOID}'"


def _delta(rows: str, sign: int, key: dict[str, str], where: str) -> str:
    columns = ", ".join(f"{expression} AS {name}" for name, expression in key.items())
    funds = f", {sign} * coalesce(h.funds, 0) AS funds" if key is KEY else ""
    return f"SELECT {columns}, {sign} AS hazards{funds} FROM {rows} h WHERE {where}"


def _upsert(table: str, key: dict[str, str], sources: list[tuple[str, int]], where: str) -> str:
    """Add the signed rows of `sources` (a transition table or the ledger, and +1/-1) to `table`."""
    names = ", ".join(key)
    deltas = " UNION ALL ".join(_delta(rows, sign, key, where) for rows, sign in sources)
    measures = ["hazards"] + (["funds"] if key is KEY else [])
    sums = ", ".join(f"sum({m})" for m in measures)
    changed = " OR ".join(f"sum({m}) <> 0" for m in measures)
    updates = ", ".join(f"{m} = {table}.{m} + EXCLUDED.{m}" for m in measures)
    return (
        f"INSERT INTO {table} ({names}, {', '.join(measures)}) "
        f"SELECT {names}, {sums} FROM ({deltas}) d GROUP BY {names} HAVING {changed} ORDER BY {names} "
        f"ON CONFLICT ({names}) DO UPDATE SET {updates}"
    )


def _apply(sources: list[tuple[str, int]]) -> str:
    return (
        _upsert(FINDINGS, KEY, sources, COUNTED)
        + ";\n"
        + _upsert(UNITS, UNIT_KEY, sources, f"{COUNTED} AND h.unit_id IS NOT NULL")
        + ";"
    )


def install_sql() -> str:
    """The trigger function and its three statement triggers (PostgreSQL)."""
    return f"""
CREATE OR REPLACE FUNCTION stats_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply([("new_rows", 1)])}
    ELSIF TG_OP = 'UPDATE' THEN
        {_apply([("old_rows", -1), ("new_rows", 1)])}
    ELSE
        {_apply([("old_rows", -1)])}
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stats_tally_insert ON {HAZARDS};
DROP TRIGGER IF EXISTS stats_tally_update ON {HAZARDS};
DROP TRIGGER IF EXISTS stats_tally_delete ON {HAZARDS};
CREATE TRIGGER stats_tally_insert AFTER INSERT ON {HAZARDS}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_tally_apply();
CREATE TRIGGER stats_tally_update AFTER UPDATE ON {HAZARDS}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_tally_apply();
CREATE TRIGGER stats_tally_delete AFTER DELETE ON {HAZARDS}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_tally_apply();
"""


UNINSTALL_SQL = f"""
DROP TRIGGER IF EXISTS stats_tally_insert ON {HAZARDS};
DROP TRIGGER IF EXISTS stats_tally_update ON {HAZARDS};
DROP TRIGGER IF EXISTS stats_tally_delete ON {HAZARDS};
DROP FUNCTION IF EXISTS stats_tally_apply();
"""


def rebuild_sql() -> str:
    """Empty the tallies and count them again from the ledger (writers wait: the ledger is locked in SHARE mode)."""
    return f"LOCK TABLE {HAZARDS} IN SHARE MODE; DELETE FROM {FINDINGS}; DELETE FROM {UNITS}; " + _apply([(HAZARDS, 1)])


def rebuild(using: str = "default") -> None:
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(rebuild_sql())


def _recount(table: str, key: dict[str, str], where: str) -> str:
    names = ", ".join(key)
    measures = ["hazards"] + (["funds"] if key is KEY else [])
    source = _delta(HAZARDS, 1, key, where)
    recount = f"SELECT {names}, {', '.join(f'sum({m})' for m in measures)} FROM ({source}) d GROUP BY {names}"
    kept = f"SELECT {names}, {', '.join(measures)} FROM {table} WHERE {' OR '.join(f'{m} <> 0' for m in measures)}"
    return f"SELECT count(*) FROM (({recount} EXCEPT {kept}) UNION ALL ({kept} EXCEPT {recount})) differences"


def differences(using: str = "default") -> dict[str, int]:
    """How many tally rows differ from a recount of the ledger, per tally (0 and 0: they agree)."""
    with connections[using].cursor() as cursor:
        found = {}
        for table, key, where in (
            (FINDINGS, KEY, COUNTED),
            (UNITS, UNIT_KEY, f"{COUNTED} AND h.unit_id IS NOT NULL"),
        ):
            cursor.execute(_recount(table, key, where))
            found[table] = cursor.fetchone()[0]
        return found


def in_use(using: str = "default") -> bool:
    """The tallies are kept (PostgreSQL, triggers installed): the statistics may read them.

    Asked once per connection: the triggers come and go only with migrations.
    """
    db = connections[using]
    if db.vendor != "postgresql":
        return False
    known = getattr(db, "_stats_tally_in_use", None)
    if known is not None:
        return bool(known)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s) AND tgenabled <> 'D'",
            [HAZARDS, list(TRIGGERS)],
        )
        kept = cursor.fetchone()[0] == len(TRIGGERS)
    setattr(db, "_stats_tally_in_use", kept)  # noqa: B010  (an attribute of our own on the connection)
    return kept
