"""Background ledger exports: the job page, its owner, its file, and a worker's lease on it."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from hazards.models import Hazard
from ledger import jobs
from ledger.models import ExportJob
from ledger.tasks import export_ledger
from tests.factories import HazardFactory, UserFactory
from tests.ledger.workbooks import ledger_rows, numbers

pytestmark = pytest.mark.django_db


# Large exports in the background


def test_a_large_export_runs_in_the_background_and_only_its_owner_downloads_it(
    client, province, scene, async_threshold, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(province)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get("/hazards/export.xlsx?level=general&page=2")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hazards/exports/{job.pk}/"
    assert len(callbacks) == 1  # queued once the job's row was committed
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.progress == 100
    assert job.query == "level=general" and job.user == province
    assert job.rows_written == Hazard.objects.filter(level="general").count() == 4
    assert job.expires_at > timezone.now() + timedelta(hours=71)

    page = client.get(f"/hazards/exports/{job.pk}/").content.decode()
    assert f"/hazards/exports/{job.pk}/download/" in page and "hx-trigger" not in page
    assert "export-ready" in client.get("/hazards/").content.decode()  # the in-app notice, on the list page
    download = client.get(f"/hazards/exports/{job.pk}/download/")
    content = b"".join(download.streaming_content)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert len(ledger_rows(content)) == 4
    assert "export-ready" not in client.get("/hazards/").content.decode()  # downloaded: the notice goes

    # Nobody else sees the job or its file, whatever their scope.
    other = UserFactory(username="other-province", organization=province.organization, roles=["provincial_staff"])
    client.force_login(other)
    assert client.get(f"/hazards/exports/{job.pk}/").status_code == 404
    assert client.get(f"/hazards/exports/{job.pk}/download/").status_code == 404


def test_the_progress_page_polls_until_the_job_is_done(client, province, scene, async_threshold):
    client.force_login(province)
    response = client.get("/hazards/export.xlsx")  # the on-commit callback never runs inside the test
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.PENDING and job.total_rows == 5
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'role="progressbar"' in page
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="export-job-status"') and "<html" not in partial


def test_the_task_writes_for_the_users_scope_at_run_time(inspector, scene, recorder):
    HazardFactory(found_by=recorder)  # in 浏阳市, fireworks: the inspector's scope
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    export_ledger(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY
    with job.file.open("rb") as stream:
        exported = set(numbers(stream.read()))
    assert exported == set(Hazard.objects.visible_to(inspector).values_list("number", flat=True))
    assert scene.hazards["liling"].number not in exported
    # A second delivery of the same task does nothing: the job was claimed.
    assert jobs.run_export(job_id=job.pk) is None


def test_a_deactivated_user_gets_nothing(inspector, scene):
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    inspector.is_active = False
    inspector.save()
    export_ledger(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file


def test_a_broker_outage_fails_the_job_with_a_message_not_the_page(
    client, province, scene, async_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(export_ledger, "delay", unreachable)
    client.force_login(province)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/hazards/export.xlsx")
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert "could not be reached" in client.get(response["Location"]).content.decode()


def test_expired_files_are_deleted_and_no_longer_downloadable(
    client, province, scene, async_threshold, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(province)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/hazards/export.xlsx")
    job = ExportJob.objects.get()
    path = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/hazards/exports/{job.pk}/download/").status_code == 404
    assert jobs.purge_expired() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    assert not os.path.exists(path)
