"""Reading ahead (hunan_safety.db.read_ahead): the next answer is made on a second connection while
the caller works on this one, and nothing about the answers changes for it."""

import threading
from contextvars import ContextVar

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Region
from hunan_safety.db import long_statements, read_ahead
from hunan_safety.routers import REPLICA, ReportingReplicaRouter, reporting_reads

where = ContextVar("where", default="nowhere")


def _made_by(names: list[str]):
    def produce(item: int) -> int:
        names.append(threading.current_thread().name)
        return item * 10

    return produce


@pytest.mark.django_db
def test_inside_a_transaction_everything_is_made_here_in_order():
    names: list[str] = []
    assert list(read_ahead(_made_by(names), range(5))) == [0, 10, 20, 30, 40]
    assert set(names) == {threading.current_thread().name}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestOnPostgreSQLOutsideATransaction:
    def test_the_answers_are_made_on_a_thread_of_their_own_and_come_in_order(self, reference_data):
        names: list[str] = []
        codes = sorted(Region.objects.values_list("code", flat=True))[:6]

        def produce(code: str) -> str:
            names.append(threading.current_thread().name)
            return Region.objects.get(code=code).name  # a query, on the thread's own connection

        assert list(read_ahead(produce, codes)) == [Region.objects.get(code=code).name for code in codes]
        assert set(names) == {"read-ahead"}

    def test_an_error_is_raised_in_the_callers_thread(self):
        def produce(item: int) -> int:
            if item == 2:
                raise ValueError("no such chunk")
            return item

        answers = read_ahead(produce, range(5))
        assert next(answers) == 0 and next(answers) == 1
        with pytest.raises(ValueError, match="no such chunk"):
            next(answers)

    def test_a_caller_who_stops_early_stops_the_thread(self):
        made: list[int] = []

        def produce(item: int) -> int:
            made.append(item)
            return item

        before = threading.active_count()
        for answer in read_ahead(produce, range(1000)):
            if answer == 3:
                break
        assert threading.active_count() == before  # joined, not left waiting
        assert len(made) < 10  # it never ran far ahead

    def test_the_thread_works_in_the_callers_context(self, monkeypatch):
        """The reporting replica, the long statement limit and any other context variable go along."""
        monkeypatch.setitem(settings.DATABASES, REPLICA, {**settings.DATABASES["default"]})
        seen: list[tuple] = []

        def produce(item: int) -> int:
            with connection.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                timeout = cursor.fetchone()[0]
            seen.append((where.get(), ReportingReplicaRouter().db_for_read(Region), timeout))
            return item

        token = where.set("the caller's")
        try:
            with reporting_reads(), long_statements():
                with connection.cursor() as cursor:
                    cursor.execute("SHOW statement_timeout")
                    long_limit = cursor.fetchone()[0]
                assert list(read_ahead(produce, range(3))) == [0, 1, 2]
        finally:
            where.reset(token)
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] != long_limit  # the page's limit: the test sees a change
        assert seen == [("the caller's", REPLICA, long_limit)] * 3
