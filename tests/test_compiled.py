"""Reads compiled once (hunan_safety/compiled.py): the same rows as the queryset, for each run's values."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards.models import Hazard
from hazards.visibility import AmongValues
from hunan_safety.compiled import CompiledQuery
from tests.factories import HazardFactory, industry

pytestmark = pytest.mark.django_db


def with_related(pk):
    return Hazard.objects.select_related("industry__parent", "region__parent", "found_by").filter(pk=pk)


def test_model_instances_with_their_related_objects_as_the_queryset_makes_them():
    fireworks, chemicals = HazardFactory(), HazardFactory(industry=industry("hazardous-chemicals"))
    compiled = CompiledQuery(with_related, "pk")
    for hazard in (fireworks, chemicals, fireworks):
        expected = with_related(hazard.pk).get()
        with CaptureQueriesContext(connection) as queries:
            found = compiled.first(pk=hazard.pk)
            # The related objects came with the row: no query to name them.
            names = (found.industry.name, found.region.parent.name, found.found_by.username)
        assert len(queries) == 1
        assert (found.pk, found.number, found.title, found.responsibility_chain) == (
            expected.pk,
            expected.number,
            expected.title,
            expected.responsibility_chain,
        )
        assert names == (expected.industry.name, expected.region.parent.name, expected.found_by.username)


def test_values_rows_and_an_unknown_key_finds_nothing():
    hazard = HazardFactory()
    as_dicts = CompiledQuery(lambda pk: Hazard.objects.filter(pk=pk).values("number", "state"), "pk")
    flat = CompiledQuery(lambda pk: Hazard.objects.filter(pk=pk).values_list("number", flat=True), "pk")
    assert as_dicts.run(pk=hazard.pk) == [{"number": hazard.number, "state": hazard.state}]
    assert flat.run(pk=hazard.pk) == [hazard.number]
    assert flat.run(pk=hazard.pk + 1000) == []
    assert as_dicts.first(pk=hazard.pk + 1000) is None


def test_a_list_of_keys_is_bound_whole_on_each_run():
    hazards = HazardFactory.create_batch(3)
    compiled = CompiledQuery(
        lambda pks: Hazard.objects.filter(AmongValues("id", pks)).order_by("id").values_list("pk", flat=True),
        lists=("pks",),
    )
    keys = [hazard.pk for hazard in hazards]
    assert compiled.run(pks=keys) == keys
    assert compiled.run(pks=keys[1:]) == keys[1:]
    assert compiled.run(pks=[keys[0], keys[2]]) == [keys[0], keys[2]]


def test_the_queryset_is_built_and_compiled_once():
    builds = []

    def build(pk):
        builds.append(pk)
        return Hazard.objects.filter(pk=pk).values_list("number", flat=True)

    first, second = HazardFactory.create_batch(2)
    compiled = CompiledQuery(build, "pk")
    assert compiled.run(pk=first.pk) == [first.number]
    assert compiled.run(pk=second.pk) == [second.number]
    assert len(builds) == 1


@pytest.mark.postgres
def test_on_postgresql_a_prepared_statement_of_each_connection_runs_it():
    hazard = HazardFactory()
    compiled = CompiledQuery(lambda pk: Hazard.objects.filter(pk=pk).values_list("number", flat=True), "pk")
    with CaptureQueriesContext(connection) as queries:
        assert compiled.run(pk=hazard.pk) == [hazard.number]
        assert compiled.run(pk=hazard.pk) == [hazard.number]
    # Prepared once through the driver (not a page query), then executed with each run's values.
    assert [query["sql"].split("(")[0] for query in queries.captured_queries] == [
        query["sql"].split("(")[0] for query in queries.captured_queries[:1]
    ] * 2
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE hs_compiled_")


@pytest.mark.postgres
def test_behind_a_transaction_pooler_the_compiled_sql_is_sent_without_preparing_it(settings):
    settings.DB_PREPARED_STATEMENTS = False  # PgBouncer's transaction mode: no session-level statements
    first, second = HazardFactory.create_batch(2)
    compiled = CompiledQuery(lambda pk: Hazard.objects.filter(pk=pk).values_list("number", flat=True), "pk")
    with CaptureQueriesContext(connection) as queries:
        assert compiled.run(pk=first.pk) == [first.number]
        assert compiled.run(pk=second.pk) == [second.number]
    sent = [query["sql"] for query in queries.captured_queries]
    assert len(sent) == 2 and all(sql.startswith("SELECT") for sql in sent)
    assert all(not kept.statement for kept in compiled._compiled.values() if kept is not None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_statement_again(reference_data):
    hazard = HazardFactory()
    compiled = CompiledQuery(lambda pk: Hazard.objects.filter(pk=pk).values_list("number", flat=True), "pk")
    assert compiled.run(pk=hazard.pk) == [hazard.number]
    connection.close()  # as DB_CONN_MAX_AGE does between requests
    assert compiled.run(pk=hazard.pk) == [hazard.number]


def test_a_placeholder_the_query_does_not_use_is_refused():
    compiled = CompiledQuery(lambda pk, unit: Hazard.objects.filter(pk=pk), "pk", "unit")
    with pytest.raises(ValueError, match="unit"):
        compiled.run(pk=1, unit=2)


def test_it_reads_from_the_database_the_routers_pick(monkeypatch):
    """As a queryset would: inside reporting_reads() with a replica, a read goes to the replica."""
    hazard = HazardFactory()
    asked = []

    def db_for_read(model, **hints):
        asked.append(model)
        return "default"

    monkeypatch.setattr("hunan_safety.compiled.router.db_for_read", db_for_read)
    compiled = CompiledQuery(lambda pk: Hazard.objects.filter(pk=pk).values_list("number", flat=True), "pk")
    assert compiled.run(pk=hazard.pk) == [hazard.number]
    assert asked == [Hazard]


def test_a_query_that_can_find_nothing_runs_as_the_queryset_would():
    hazard = HazardFactory()
    compiled = CompiledQuery(lambda pk: Hazard.objects.filter(pk=pk, unit_id__in=[]), "pk")
    assert compiled.run(pk=hazard.pk) == []
