"""Reads compiled to SQL once per process: each run only binds its values (the hottest pages' queries).

Django compiles a queryset to SQL afresh every time it runs it: for a detail page's dozen small
reads, most of their cost in the web process (the select_related joins, the visibility rule), while
PostgreSQL answers each in a fraction of a millisecond. A `CompiledQuery` builds its queryset once,
with a placeholder for each value that changes between runs (a hazard's id, a user's id), keeps the
SQL, the parameters and the compiler's description of the columns, and on each run puts the values
in their places and lets the ORM's own iterables make the rows: model instances with their
select_related objects, `values()` dicts or `values_list()` tuples, exactly as the queryset would.

Only for querysets whose SQL depends on nothing but the placeholders' values; something that
depends on more (a user's scope) is compiled once per distinct input (see hazards/selectors.py).
A list of values (`lists=`) must reach the database as one array parameter (`= ANY(%s)`, see
hazards/visibility.py `AmongValues`); where the backend spreads it value by value (SQLite's IN
list), the queryset is built and compiled afresh on each run, as without this module.
"""

import copy
import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Values no real row or parameter has, so that each is found alone among the compiled parameters.
_PLACEHOLDER_BASE = -7_340_000_001
_SPREAD = "<a list spread value by value>"


class CompiledQuery:
    """`build(**placeholders)` compiled once per database; `run(**values)` binds them and returns the rows."""

    def __init__(self, build: Callable[..., QuerySet], *names: str, lists: tuple[str, ...] = ()) -> None:
        self._build = build
        self._names = (*names, *lists)
        self._lists = frozenset(lists)
        self._compiled: dict[str, tuple[QuerySet, Any, str, tuple[Any, ...], list[tuple[int, str]]] | None] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> tuple[QuerySet, Any, str, tuple[Any, ...], list[tuple[int, str]]] | None:
        placeholders = {name: _PLACEHOLDER_BASE - index for index, name in enumerate(self._names)}
        queryset = self._build(
            **{name: [value] if name in self._lists else value for name, value in placeholders.items()}
        ).using(using)
        compiler = queryset.query.get_compiler(using=using)
        # as_sql() also fills what the iterables read afterwards: the columns, the related objects.
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in placeholders.items()}
        places = []
        for index, param in enumerate(params):
            if (
                isinstance(param, list)
                and len(param) == 1
                and isinstance(param[0], int)
                and by_value.get(param[0]) in self._lists
            ):
                places.append((index, by_value[param[0]]))  # a list as one array parameter
            elif isinstance(param, int) and by_value.get(param) in self._names:
                name = by_value[param]
                places.append((index, name if name not in self._lists else _SPREAD))
        found = {name for _, name in places}
        if _SPREAD in found:
            return None  # a list spread value by value: compiled afresh on each run
        missing = set(self._names) - found
        if missing:
            raise ValueError(f"placeholders {sorted(missing)} are not parameters of the compiled query")
        return queryset, compiler, sql, tuple(params), places

    def run(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[Any]:
        """The rows for these values, as the built queryset's own iterable makes them."""
        try:
            compiled = self._compiled[using]
        except KeyError:
            with self._lock:
                compiled = self._compiled[using] = self._compile(using)
        if compiled is None:
            return list(self._build(**values).using(using))
        template, compiler, sql, params, places = compiled
        bound = list(params)
        for index, name in places:
            bound[index] = values[name]
        # A compiler of this run: this thread's connection, the kept SQL with this run's values.
        run_compiler = copy.copy(compiler)
        run_compiler.connection = connections[using]
        run_compiler.as_sql = lambda *args, **kwargs: (sql, bound)
        query = copy.copy(template.query)
        query.get_compiler = lambda *args, **kwargs: run_compiler
        queryset: QuerySet = QuerySet(model=template.model, query=query, using=using)
        queryset._iterable_class = template._iterable_class
        queryset._fields = template._fields
        return list(queryset._iterable_class(queryset))

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> Any:
        rows = self.run(using, **values)
        return rows[0] if rows else None
