"""Reads compiled to SQL once per process and planned once per connection (the hottest pages' queries).

Django compiles a queryset to SQL afresh every time it runs it, and PostgreSQL plans each statement
afresh: for a detail page's dozen small reads, most of their cost on both sides (the select_related
joins, the visibility rule: planning the hazard's fourteen-table read took 6 ms for a 0.3 ms
execution). A `CompiledQuery` builds its queryset once, with a placeholder for each value that
changes between runs (a hazard's id, a user's id), keeps the SQL, the parameters and the
compiler's description of the columns, and on each run puts the values in their places and lets
the ORM's own iterables make the rows: model instances with their select_related objects,
`values()` dicts or `values_list()` tuples, exactly as the queryset would. On PostgreSQL the SQL is
a prepared statement of each connection (PREPARE once, then EXECUTE), so that it is planned once
too; prepared statements last as long as their connection (DB_CONN_MAX_AGE) and survive rollbacks.

Only for querysets whose SQL depends on nothing but the placeholders' values; something that
depends on more (a user's scope) is compiled once per distinct input (see hazards/selectors.py).
A list of values (`lists=`) must reach the database as one array parameter (`= ANY(%s)`, see
hazards/visibility.py `AmongValues`); where the backend spreads it value by value (SQLite's IN
list), the queryset is built and compiled afresh on each run, as without this module.
"""

import copy
import functools
import itertools
import re
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet

# Values no real row or parameter has, so that each is found alone among the compiled parameters.
_PLACEHOLDER_BASE = -7_340_000_001

_statement_numbers = itertools.count(1)
# The statements prepared on each driver connection (weakly: a closed connection takes its own along).
_prepared: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()
_prepared_lock = threading.Lock()


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet  # as built: its model, iterable class and fields
    compiler: Any  # its compiler after as_sql(): the columns and related objects the iterables read
    sql: str
    params: tuple[Any, ...]
    places: tuple[tuple[int, str], ...]  # (index among the parameters, placeholder name)
    statement: str = ""  # PostgreSQL: the prepared statement's name
    prepare: str = ""  # PostgreSQL: PREPARE name AS the SQL with $1, $2 …
    # Per connection (Django's, one per thread): the value converters of its columns.
    converters: "weakref.WeakKeyDictionary[Any, dict[tuple[int, ...], dict[int, Any]]]" = field(
        default_factory=weakref.WeakKeyDictionary
    )


class CompiledQuery:
    """`build(**placeholders)` compiled once per database; `run(**values)` binds them and returns the rows."""

    def __init__(self, build: Callable[..., QuerySet], *names: str, lists: tuple[str, ...] = ()) -> None:
        self._build = build
        self._names = (*names, *lists)
        self._lists = frozenset(lists)
        self._compiled: dict[str, _Compiled | None] = {}
        self._model: type[Model] | None = None
        self._lock = threading.Lock()

    def _placeholders(self) -> dict[str, Any]:
        values = {name: _PLACEHOLDER_BASE - index for index, name in enumerate(self._names)}
        return {name: [value] if name in self._lists else value for name, value in values.items()}

    def _database(self, using: str | None) -> str:
        """The database asked for, else the one the routers pick for reading the built queryset's model."""
        if using is not None:
            return using
        if self._model is None:
            self._compiled_for(DEFAULT_DB_ALIAS)  # learns the model
        assert self._model is not None
        return router.db_for_read(self._model) or DEFAULT_DB_ALIAS

    def _compiled_for(self, using: str) -> "_Compiled | None":
        try:
            return self._compiled[using]
        except KeyError:
            with self._lock:
                compiled = self._compiled[using] = self._compile(using)
            return compiled

    def _compile(self, using: str) -> _Compiled | None:
        placeholders = {name: _PLACEHOLDER_BASE - index for index, name in enumerate(self._names)}
        queryset = self._build(**self._placeholders()).using(using)
        self._model = queryset.model
        compiler = queryset.query.get_compiler(using=using)
        # as_sql() also fills what the iterables read afterwards: the columns, the related objects.
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None  # nothing to run (e.g. an empty IN list): the queryset answers each time
        names = {value: name for name, value in placeholders.items()}
        places = []
        for index, param in enumerate(params):
            array = isinstance(param, list) and len(param) == 1
            value = param[0] if array else param
            name = names.get(value) if isinstance(value, int) else None
            if name is None:
                continue
            if name in self._lists and not array:
                return None  # a list spread value by value: built and compiled afresh on each run
            places.append((index, name))
        missing = set(self._names) - {name for _, name in places}
        if missing:
            raise ValueError(f"placeholders {sorted(missing)} are not parameters of the compiled query")
        compiled = _Compiled(queryset, compiler, sql, tuple(params), tuple(places))
        if compiler.connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
            return compiled
        statement = f"hs_compiled_{next(_statement_numbers)}"
        numbers = itertools.count(1)
        # Django writes a parameter %s and a percent sign %%; a prepared statement $1 and %.
        body = re.sub(r"%[s%]", lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", sql)
        arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
        return _Compiled(
            queryset,
            compiler,
            f"EXECUTE {statement}{arguments}",
            tuple(params),
            tuple(places),
            statement=statement,
            prepare=f"PREPARE {statement} AS {body}",
        )

    def run(self, using: str | None = None, **values: Any) -> list[Any]:
        """The rows for these values, as the built queryset's own iterable makes them."""
        using = self._database(using)
        compiled = self._compiled_for(using)
        if compiled is None:
            return list(self._build(**values).using(using))
        bound = list(compiled.params)
        for index, name in compiled.places:
            bound[index] = values[name]
        connection = connections[using]
        if compiled.statement:
            _prepare(connection, compiled)
        # A compiler of this run: this thread's connection, the kept SQL with this run's values.
        run_compiler = copy.copy(compiled.compiler)
        run_compiler.connection = connection
        run_compiler.as_sql = lambda *args, **kwargs: (compiled.sql, bound)
        run_compiler.get_converters = functools.partial(_converters, compiled, run_compiler)
        query = copy.copy(compiled.queryset.query)
        query.get_compiler = lambda *args, **kwargs: run_compiler  # type: ignore[method-assign]
        queryset: QuerySet = QuerySet(model=compiled.queryset.model, query=query, using=using)
        queryset._iterable_class = compiled.queryset._iterable_class
        queryset._fields = compiled.queryset._fields  # type: ignore[attr-defined]
        rows: Iterable[Any] = queryset._iterable_class(queryset)  # type: ignore[assignment]
        return list(rows)

    def first(self, using: str | None = None, **values: Any) -> Any:
        rows = self.run(using, **values)
        return rows[0] if rows else None


def _converters(compiled: _Compiled, run_compiler: Any, expressions: list[Any]) -> dict[int, Any]:
    """The compiler's value converters for these columns, worked out once per connection."""
    kept = compiled.converters.setdefault(run_compiler.connection, {})
    key = tuple(map(id, expressions))  # the compiled columns: the same objects on every run
    if key not in kept:
        kept[key] = type(run_compiler).get_converters(run_compiler, expressions)
    return kept[key]


def _prepare(connection: Any, compiled: _Compiled) -> None:
    """PREPARE the statement on this connection unless it already was."""
    connection.ensure_connection()
    driver_connection = connection.connection
    with _prepared_lock:
        statements = _prepared.setdefault(driver_connection, set())
        if compiled.statement in statements:
            return
    # The driver's own cursor: a statement of the connection's setup, not one of the page's queries.
    with driver_connection.cursor() as cursor:
        cursor.execute(compiled.prepare)
    with _prepared_lock:
        statements.add(compiled.statement)
