"""ExportJob moved from hazards to the ledger app: a database upgraded across the move keeps its rows."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ledger.models import ExportJob

LAST_BEFORE_THE_MOVE = ("hazards", "0010_open_work_indexes")


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader, which sees what is applied now


@pytest.fixture
def before_the_move(transactional_db):
    """The database as it was before ExportJob moved; migrated to the latest again whatever the test did."""
    executor = migrate([LAST_BEFORE_THE_MOVE, ("ledger", None)])
    yield executor.loader.project_state([LAST_BEFORE_THE_MOVE]).apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_database_keeps_its_export_jobs(before_the_move):
    old_apps = before_the_move
    with pytest.raises(LookupError):
        old_apps.get_model("ledger", "ExportJob")  # before the move, only hazards knows it
    user = old_apps.get_model("accounts", "User").objects.create(username="exporter", password="!")
    old_job = old_apps.get_model("hazards", "ExportJob").objects.create(
        user_id=user.pk,
        query="level=major",
        language="zh-hans",
        status="ready",
        progress=100,
        total_rows=12,
        rows_written=12,
        file="ledger-exports/2026/11/abc.xlsx",
        file_name="隐患台账-20261130-1012.xlsx",
    )

    # As on a database made before the move: the content type (and its permissions) under hazards.
    ContentType.objects.filter(app_label="ledger", model="exportjob").delete()
    old_type = ContentType.objects.get_or_create(app_label="hazards", model="exportjob")[0]

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert ContentType.objects.get(app_label="ledger", model="exportjob").pk == old_type.pk
    assert not ContentType.objects.filter(app_label="hazards", model="exportjob").exists()
    job = ExportJob.objects.get(pk=old_job.pk)
    assert (job.user.username, job.query, job.language, job.status) == ("exporter", "level=major", "zh-hans", "ready")
    assert (job.rows_written, job.file.name, job.file_name) == (12, old_job.file, "隐患台账-20261130-1012.xlsx")
    # The lease arrived with the move: a job written before it holds none and was claimed by nobody.
    assert job.attempts == 0 and job.lease_expires_at is None
    assert ExportJob._meta.db_table == "hazards_exportjob"
