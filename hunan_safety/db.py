"""Database helpers: the statement timeout of long work, and lookups the query plans depend on."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Field, ForeignObject, Lookup


def _set_statement_timeout(alias: str, seconds: int) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SET statement_timeout = %s", [f"{seconds}s"])


@contextmanager
def long_statements() -> Iterator[None]:
    """Let this block's statements run up to DB_LONG_STATEMENT_TIMEOUT instead of a page's limit.

    Entering the block touches no database: the longer limit is set just before the first query
    the block sends on each PostgreSQL connection, and the page's limit put back as it ends.
    """
    lifted: set[str] = set()

    def lift(alias: str):
        def wrapper(execute, sql, params, many, context):
            if alias not in lifted:
                lifted.add(alias)
                # The driver's own cursor: through Django's it would come back to this wrapper.
                context["cursor"].cursor.execute(
                    "SET statement_timeout = %s", [f"{settings.DB_LONG_STATEMENT_TIMEOUT}s"]
                )
            return execute(sql, params, many, context)

        return wrapper

    aliases = [alias for alias in settings.DATABASES if connections[alias].vendor == "postgresql"]
    with ExitStack() as wrappers:
        for alias in aliases:
            wrappers.enter_context(connections[alias].execute_wrapper(lift(alias)))
        try:
            yield
        finally:
            wrappers.close()
            for alias in lifted:
                try:
                    _set_statement_timeout(alias, settings.DB_STATEMENT_TIMEOUT)
                except DatabaseError:
                    # A failed transaction refuses even SET: a new connection starts with the page's limit.
                    connections[alias].close()


@ForeignObject.register_lookup
@Field.register_lookup
class AnyOf(Lookup):
    """`field__any_of=<subquery>`: membership in a small set that PostgreSQL computes once, up front.

    Written `x = ANY(ARRAY(SELECT …))`, the subquery runs once (an InitPlan) and the test is an index
    condition, e.g. a department's industries with their sub-categories (at most a few dozen ids).
    For small sets only: as a per-row filter the array is searched linearly, and over the 75,570
    inspections of a busy inspector that took 27 s on the million-row ledger — large sets belong in
    a plain `__in` (a hashed subquery). Other databases get the plain IN.
    """

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
