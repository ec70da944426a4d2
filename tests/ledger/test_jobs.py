"""Background ledger exports: the job page, its owner, its file, and a worker's lease on it."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from hazards.models import Hazard
from ledger import jobs
from ledger.models import ExportJob
from ledger.tasks import export_ledger, relay_exports, resume_exports
from tests.factories import HazardFactory, UserFactory
from tests.ledger.workbooks import ledger_rows, numbers
from tests.notifications.reminder_helpers import REDIS_TRANSPORT_OPTIONS, BlackHole, celery_broker

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent


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
    assert callbacks == [] and job.status == ExportJob.Status.PENDING  # the page only wrote the job
    with django_capture_on_commit_callbacks(execute=True):
        assert relay_exports() == 1  # the beat's relay hands it to a worker
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
    with django_capture_on_commit_callbacks(execute=True):
        assert relay_exports() == 1
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert "could not be reached" in client.get(response["Location"]).content.decode()


@pytest.mark.redis
def test_a_broker_that_never_answers_does_not_delay_the_export_request(
    client, province, scene, async_threshold, django_capture_on_commit_callbacks
):
    """Before: the request published the task itself and waited 5.35 s on a silent broker."""
    client.force_login(province)
    with BlackHole() as hole, celery_broker(hole.url, REDIS_TRANSPORT_OPTIONS):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get("/hazards/export.xlsx")
        elapsed = time.monotonic() - started
        assert hole.connections == []
    assert response.status_code == 302
    assert elapsed < 1, f"the export request took {elapsed:.2f} s"
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.PENDING and job.queued_at is None  # waiting for the relay
    assert jobs.jobs_to_relay() == [job.pk] and jobs.jobs_to_relay() == []  # handed out once


def test_expired_files_are_deleted_and_no_longer_downloadable(
    client, province, scene, async_threshold, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(province)
    client.get("/hazards/export.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        relay_exports()
    job = ExportJob.objects.get()
    path = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/hazards/exports/{job.pk}/download/").status_code == 404
    assert jobs.purge_expired() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    assert not os.path.exists(path)


# The worker's lease: one writer at a time, and a dead writer's job finished by another


def lapse_lease(job: ExportJob) -> None:
    """As if the worker holding the job had stopped renewing its lease a while ago."""
    ExportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_a_claim_holds_the_job_for_the_lease_and_counts_the_attempt(inspector, settings):
    settings.LEDGER_EXPORT_LEASE_SECONDS = 120
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    before = timezone.now()
    assert jobs.claim(job.pk) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and job.attempts == 1
    assert before + timedelta(seconds=119) < job.lease_expires_at <= timezone.now() + timedelta(seconds=120)


def test_a_redelivered_task_for_a_job_running_within_its_lease_does_nothing(inspector, scene):
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    assert jobs.claim(job.pk) == 1  # a live worker is writing it
    export_ledger(job.pk)  # the broker delivers the task again
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and job.attempts == 1 and not job.file


def test_a_finished_job_is_never_claimed_again_even_after_its_lease(inspector, scene):
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    export_ledger(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.lease_expires_at is None  # a finished job holds no lease
    lapse_lease(job)  # even with a lapsed one, as a job written before the lease was added could carry
    assert jobs.claim(job.pk) is None and jobs.resume_exports() == []
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.attempts == 1


def test_a_job_whose_lease_lapsed_is_claimed_again_and_finished(inspector, scene):
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    assert jobs.claim(job.pk) == 1  # its worker dies here
    lapse_lease(job)
    export_ledger(job.pk)  # the redelivered task, after the lease
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.attempts == 2 and job.lease_expires_at is None
    with job.file.open("rb") as stream:
        assert set(numbers(stream.read())) == set(Hazard.objects.visible_to(inspector).values_list("number", flat=True))


def test_a_worker_that_lost_its_lease_stops_and_leaves_the_job_to_its_successor(inspector, scene, monkeypatch):
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    real_write = jobs.export.write_ledger

    def stalled_then_taken_over(output, **kwargs):
        # This worker stalled past its lease; another one claimed the job meanwhile.
        lapse_lease(job)
        assert jobs.claim(job.pk) == 2
        return real_write(output, **kwargs)

    monkeypatch.setattr(jobs.export, "write_ledger", stalled_then_taken_over)
    assert jobs.run_export(job_id=job.pk) is None
    job.refresh_from_db()
    # Still the successor's: running under its claim, no file or status written by the stalled worker.
    assert job.status == ExportJob.Status.RUNNING and job.attempts == 2 and not job.file


def test_resume_queues_abandoned_and_lost_jobs_and_gives_up_after_the_attempts(inspector, settings):
    settings.LEDGER_EXPORT_LEASE_SECONDS = 60
    now = timezone.now()
    abandoned = ExportJob.objects.create(
        user=inspector, status="running", attempts=1, lease_expires_at=now - timedelta(seconds=5)
    )
    lost = ExportJob.objects.create(user=inspector, created_at=now - timedelta(minutes=5))
    exhausted = ExportJob.objects.create(
        user=inspector, status="running", attempts=jobs.MAX_ATTEMPTS, lease_expires_at=now - timedelta(seconds=5)
    )
    held = ExportJob.objects.create(
        user=inspector, status="running", attempts=1, lease_expires_at=now + timedelta(seconds=60)
    )
    just_asked = ExportJob.objects.create(user=inspector)
    with translation.override("en"):
        assert sorted(jobs.resume_exports()) == sorted([abandoned.pk, lost.pk])
    exhausted.refresh_from_db()
    assert exhausted.status == ExportJob.Status.FAILED and "interrupted 3 times" in exhausted.error
    held.refresh_from_db()
    just_asked.refresh_from_db()
    assert held.status == ExportJob.Status.RUNNING and just_asked.status == ExportJob.Status.PENDING


def test_the_beat_task_queues_the_resumed_jobs_after_commit(
    inspector, scene, eager_celery, django_capture_on_commit_callbacks
):
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    jobs.claim(job.pk)
    lapse_lease(job)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert resume_exports.delay().get() == 1
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.attempts == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_cannot_both_claim_a_job(reference_data):
    job = ExportJob.objects.create(user=UserFactory(), query="", language="en")
    workers = 8
    start = threading.Barrier(workers)
    claims: list[int | None] = []

    def worker() -> None:
        try:
            start.wait(timeout=30)
            claims.append(jobs.claim(job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claims, key=lambda claim: claim or 0) == [None] * (workers - 1) + [1]


# A worker killed mid-export (a real process, SIGKILL)


def database_url() -> str:
    """The test database as DATABASE_URL, for a worker process of its own."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(job: ExportJob, *, lease_seconds: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "LEDGER_EXPORT_LEASE_SECONDS": str(lease_seconds)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.stalled_export", str(job.pk)],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_export_whose_worker_is_killed_mid_way_is_resumed_and_finished(reference_data, province, eager_celery):
    for days in range(6):
        HazardFactory(found_on=timezone.localdate() - timedelta(days=days))
    job = ExportJob.objects.create(user=province, query="", language="en")

    worker = start_worker(job, lease_seconds=2)
    try:
        assert worker.stdout.readline().strip() == "stalled"
        job.refresh_from_db()
        assert job.status == ExportJob.Status.RUNNING and job.rows_written == 2 and job.attempts == 1
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    # Dead, the worker left the job running: nothing finishes it until its lease lapses.
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and not job.file
    while timezone.now() <= job.lease_expires_at:
        time.sleep(0.2)
    assert resume_exports.delay().get() == 1  # the beat; on commit its export runs (eagerly here)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.attempts == 2 and job.progress == 100
    listed = list(Hazard.objects.visible_to(province).order_by("-found_on", "-id").values_list("number", flat=True))
    with job.file.open("rb") as stream:
        assert numbers(stream.read()) == listed
    assert job.rows_written == len(listed) == 6
