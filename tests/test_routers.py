"""Exports read from the replica when one is configured; pages and writes never do."""

import os
import subprocess
import sys

from django.conf import settings

from hazards.models import Hazard
from hunan_safety.routers import REPLICA, ReportingReplicaRouter, reporting_reads


def with_replica(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, REPLICA, {**settings.DATABASES["default"]})


def test_without_a_replica_reports_read_the_primary():
    router = ReportingReplicaRouter()
    with reporting_reads():
        assert router.db_for_read(Hazard) is None


def test_with_a_replica_only_reads_inside_a_report_go_there(monkeypatch):
    with_replica(monkeypatch)
    router = ReportingReplicaRouter()
    assert router.db_for_read(Hazard) is None
    with reporting_reads():
        assert router.db_for_read(Hazard) == REPLICA
        assert router.db_for_write(Hazard) is None
    assert router.db_for_read(Hazard) is None


def test_the_replica_is_never_migrated():
    router = ReportingReplicaRouter()
    assert router.allow_migrate("default", "hazards") is True
    assert router.allow_migrate(REPLICA, "hazards") is False


def test_the_replica_setting_is_read_from_the_environment():
    code = "import django, os; django.setup(); from django.conf import settings; print(sorted(settings.DATABASES))"
    environment = {"DJANGO_SETTINGS_MODULE": "hunan_safety.settings", "DATABASE_REPLICA_URL": "postgres://r@replica/db"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        cwd=settings.BASE_DIR,
        check=True,
    )
    assert result.stdout.strip() == "['default', 'replica']"
