"""Database helpers: the statement timeout of long work, reading ahead on a second connection, and
lookups the query plans depend on."""

import contextvars
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Field, ForeignObject, Lookup

Item = TypeVar("Item")
Result = TypeVar("Result")

# Set inside long_statements(): a read-ahead thread, which runs in a copy of its caller's context,
# takes the same limit on its own connection.
_long = contextvars.ContextVar("long_statements", default=False)


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
    token = _long.set(True)
    try:
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
    finally:
        _long.reset(token)


def read_ahead(
    produce: Callable[[Item], Result], items: Iterable[Item], *, using: str = DEFAULT_DB_ALIAS
) -> Iterator[Result]:
    """`produce(item)` for each item, in order, the next one made on a thread of its own while the
    caller works on this one.

    For long reads written out as they come (the Excel export): PostgreSQL answers the next query
    while this thread formats and writes the last answer, instead of each waiting for the other.
    The thread has its own connection (closed when it is done), runs in a copy of the caller's
    context (the reporting replica, the long statement limit) and stops when the caller does. It
    cannot see a transaction the caller has open, so inside one, on SQLite, or for a single item,
    everything runs here, one item after another.
    """
    items = list(items)
    connection = connections[using]
    if len(items) < 2 or connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from (produce(item) for item in items)
        return
    made: queue.Queue = queue.Queue(maxsize=1)  # one answer waiting, one being made: at most three alive
    stop = threading.Event()

    def hand_over(outcome: tuple[bool, object]) -> bool:
        while not stop.is_set():
            try:
                made.put(outcome, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            with long_statements() if _long.get() else ExitStack():
                for item in items:
                    if not hand_over((True, produce(item))):
                        return
        except BaseException as error:  # raised again in the caller's thread
            hand_over((False, error))
        finally:
            connections.close_all()

    thread = threading.Thread(target=contextvars.copy_context().run, args=(work,), name="read-ahead", daemon=True)
    thread.start()
    try:
        for _item in items:
            succeeded, outcome = made.get()
            if not succeeded:
                raise outcome
            yield outcome
    finally:
        stop.set()
        thread.join()


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
