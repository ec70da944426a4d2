"""The few SQL fragments the set-based scan and planning write differently on PostgreSQL and SQLite.

The deadline scan and the delivery planner work in the database (issue 19.3): their statements are
the same on both backends but for how a JSON parameter or column is read as rows, and how a list of
ids is passed as one parameter (SQLite has no arrays; a long list of placeholders would hit its
limit). Everything else is plain SQL both understand (row values, ON CONFLICT DO NOTHING, RETURNING).
"""

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Field


def postgresql() -> bool:
    return connection.vendor == "postgresql"


def records(columns: dict[str, str], alias: str) -> str:
    """A JSON array parameter (one %s) as a table `alias` of these columns (name → PostgreSQL type)."""
    if postgresql():
        definition = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        return f"jsonb_to_recordset(%s::jsonb) AS {alias}({definition})"
    fields = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name in columns)
    return f"(SELECT {fields} FROM json_each(%s)) AS {alias}"


def records_param(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, default=str)


def id_in(column: str, ids: Iterable[int]) -> tuple[str, Any]:
    """`column` is one of `ids`, as a condition with one parameter: (sql, param)."""
    if postgresql():
        return f"{column} = ANY(%s)", list(ids)
    return f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(list(ids))


def json_elements(column: str, alias: str) -> str:
    """A join giving one row `alias` per element of the JSON array in `column` (alias.value)."""
    if postgresql():
        return f"CROSS JOIN LATERAL jsonb_array_elements({column}) AS {alias}(value)"
    return f"CROSS JOIN json_each({column}) AS {alias}"


def json_text(alias: str, key: str, *, integer: bool = False) -> str:
    """A key of the JSON object `alias.value`, as text (or as an integer)."""
    if postgresql():
        return f"({alias}.value->>'{key}')::bigint" if integer else f"({alias}.value->>'{key}')"
    return f"json_extract({alias}.value, '$.{key}')"


def json_object(pairs: dict[str, str]) -> str:
    """A JSON object built in SQL from these SQL expressions (keys are literals of ours)."""
    function = "jsonb_build_object" if postgresql() else "json_object"
    arguments = ", ".join(f"'{key}', {expression}" for key, expression in pairs.items())
    return f"{function}({arguments})"


def typed(kind: str) -> str:
    """A placeholder with its PostgreSQL type, for a NULL that a SELECT DISTINCT would make text."""
    return f"CAST(%s AS {kind})" if postgresql() else "%s"


def value(field: Field | Any, data: Any) -> Any:
    """A parameter as the backend stores the field (a UUID as hex on SQLite, a date as text, …)."""
    return field.get_db_prep_value(data, connection)


def placeholders(values: Iterable[Any]) -> tuple[str, list[Any]]:
    """`%s, %s, …` for a short list of literals (states, stages), with the list."""
    values = list(values)
    return ", ".join(["%s"] * len(values)), values


def tune_bulk_transaction() -> None:
    """For the rest of the transaction (PostgreSQL): room to join and sort a scan's batch in memory,
    and a commit that does not wait for its WAL to reach the disk.

    Asynchronous commit is safe for the scan's batches: a database crash can only lose the last
    batches as a whole (never part of one), and the next scan inserts them again, as it catches up
    with any rung it missed. Whatever reads them to act (the relay, a worker claiming a delivery)
    commits synchronously, which makes the batches before it durable first.
    """
    if postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
