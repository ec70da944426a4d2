"""Large ledger exports in the background: the job row, its lease, its file and who may fetch it.

The format is `ledger.export`; this module only runs it for an `ExportJob`. A job is queued after
its row commits and written for the user who asked, within that user's scope at the time it runs,
and kept for LEDGER_EXPORT_KEEP_HOURS. Nobody but that user can see the job or download its file.

Exactly one worker writes a job at a time, and a worker that dies does not strand it (as the
delivery outbox, notifications/delivery.py):
1. `run_export` (the task "hazards.export_ledger") claims the job with a conditional UPDATE: a waiting job, or one still "running"
   whose worker's lease has lapsed. The claim sets the lease (LEDGER_EXPORT_LEASE_SECONDS) and
   bumps `attempts`, whose new value is this worker's claim. A repeated or redelivered task for a
   job another worker holds, or one already finished, changes nothing and returns None.
2. The worker renews the lease with each progress report; every write it makes is conditional on
   its claim still being the job's current one, so a worker that stalled past its lease and was
   taken over stops writing and leaves the job to its successor.
3. `resume_exports` (the beat task "ledger.resume_exports", every minute) finds the jobs whose
   lease lapsed (a worker killed mid-export) and the ones waiting longer than a lease (a task lost
   with the broker) for the task to queue again; after MAX_ATTEMPTS claims a job is failed instead.
Services here never publish tasks (that would make this module and ledger.tasks import each
other): the view and the beat task queue the ids these functions return, after commit.
"""

import logging
import tempfile
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from hunan_safety.routers import reporting_reads
from ledger import export
from ledger.models import ExportJob

logger = logging.getLogger(__name__)

Status = ExportJob.Status
# Paging of the list is not a filter: an export holds every page.
NOT_FILTERS = ("page", "per_page")
# Claims of one job before it is given up: an export that kills its worker every time (memory,
# a time limit) must not be retried for ever.
MAX_ATTEMPTS = 3


class LeaseLost(Exception):
    """Another worker took the job over after this one's lease lapsed: stop writing."""


def _lease() -> timedelta:
    return timedelta(seconds=settings.LEDGER_EXPORT_LEASE_SECONDS)


def filters_query(params: QueryDict) -> str:
    """The list's GET parameters without its paging, as a query string."""
    query = params.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    return query.urlencode()


def export_count(*, user: User, params: QueryDict) -> int:
    """How many rows the export of these filters would hold for this user."""
    return export.ledger_filter(user, params).qs.count()


def start_export(*, actor: User, params: QueryDict, total_rows: int | None = None) -> ExportJob:
    """Record an export job for the user to follow on its page; the relay hands it to the workers (ledger.tasks)."""
    purge_expired()
    return ExportJob.objects.create(
        user=actor,
        query=filters_query(params),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        total_rows=total_rows,
        filters_summary=export.filters_summary(actor, params),
    )


def record_direct_export(*, actor: User, params: QueryDict, rows: int) -> ExportJob:
    """Record a small export written in the request and already handed to the user: who, when, which
    filters, how many rows, done. Its file is not kept: it reached the user, a copy on the server
    would be one more store of people's names and phones, and "download again" re-runs the same
    filters through the user's scope as it is then (a user who lost a county does not get it back)."""
    now = timezone.now()
    return ExportJob.objects.create(
        user=actor,
        direct=True,
        query=filters_query(params),
        filters_summary=export.filters_summary(actor, params),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        status=Status.READY,
        progress=100,
        total_rows=rows,
        rows_written=rows,
        created_at=now,
        started_at=now,
        finished_at=now,
        downloaded_at=now,
        file_name=export.export_file_name(now),
    )


def jobs_to_relay(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Waiting jobs not yet handed to the workers: note them as handed and return their ids.

    The job's row is the outbox: the page that asked for the export only writes it, and never waits
    on the broker; the beat's relay (ledger.relay_exports) publishes it a few seconds later.
    """
    now = now or timezone.now()
    with transaction.atomic():
        waiting = ExportJob.objects.select_for_update(skip_locked=True).filter(
            status=Status.PENDING, queued_at__isnull=True
        )
        job_ids = list(waiting.order_by("created_at").values_list("pk", flat=True)[:limit])
        ExportJob.objects.filter(pk__in=job_ids).update(queued_at=now)
    return job_ids


def fail_unqueued(job_id: int) -> None:
    """The task of a waiting job could not be published: fail the job, saying why (the page shows it)."""
    ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.FAILED,
        error=_("The background service could not be reached. Try again in a few minutes."),
        finished_at=timezone.now(),
    )


# --- Claiming and running a job -------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    """Waiting, or running under a lease that has lapsed (its worker died or stalled)."""
    return Q(status=Status.PENDING) | Q(status=Status.RUNNING, lease_expires_at__lte=now)


def claim(job_id: int, *, now: datetime | None = None) -> int | None:
    """Claim a job for this worker with a conditional UPDATE; return the claim (its attempt number), or None.

    None when there is nothing to do here: the job is finished, another worker holds a live lease,
    or it has used up its attempts (`resume_exports` fails it).
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ExportJob.objects.filter(_claimable(now), pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
            status=Status.RUNNING,
            started_at=now,
            lease_expires_at=now + _lease(),
            attempts=F("attempts") + 1,
            rows_written=0,
            progress=0,
        )
        if not claimed:
            return None
        return ExportJob.objects.filter(pk=job_id).values_list("attempts", flat=True).get()


def _ours(job_id: int, attempt: int) -> QuerySet:
    """The job, only while this worker's claim is still the current one."""
    return ExportJob.objects.filter(pk=job_id, status=Status.RUNNING, attempts=attempt)


def _renew(job_id: int, attempt: int, **fields: Any) -> None:
    """Record progress and extend the lease; raise LeaseLost when another worker has taken the job."""
    if not _ours(job_id, attempt).update(lease_expires_at=timezone.now() + _lease(), **fields):
        raise LeaseLost


def run_export(*, job_id: int) -> ExportJob | None:
    """Write the file of a queued export for the user who asked, within that user's scope now.

    Returns the job, or None when this call had nothing to do (see `claim`) or lost the job to
    another worker half-way.
    """
    purge_expired()
    attempt = claim(job_id)
    if attempt is None:
        return None
    job = ExportJob.objects.select_related("user__organization").get(pk=job_id)
    user = job.user
    if not user.is_active:
        return _fail(job, attempt, _("Your account is no longer active."))
    params = QueryDict(job.query)
    try:
        with translation.override(job.language), reporting_reads(), tempfile.TemporaryFile() as output:
            total = export_count(user=user, params=params)
            _renew(job.pk, attempt, total_rows=total)

            def progress(rows: int) -> None:
                percent = min(99, rows * 100 // total) if total else 99
                _renew(job.pk, attempt, rows_written=rows, progress=percent)

            # The writer for this many rows is write_ledger's choice (ledger.writers.writer_for).
            rows = export.write_ledger(output, user=user, params=params, progress=progress)
            output.seek(0)
            job.file_name = export.export_file_name(job.created_at)
            job.file.save("ledger.xlsx", File(output), save=False)
    except LeaseLost:
        logger.warning("ledger export %s was taken over by another worker; this one stops", job_id)
        return None
    except Exception:  # noqa: BLE001 - the user is told; the traceback goes to the log
        logger.exception("ledger export %s failed", job.pk)
        return _fail(job, attempt, _("The export failed. Try again, or narrow the filters."))
    finished = timezone.now()
    done = {
        "status": Status.READY,
        "file": job.file.name,
        "file_name": job.file_name,
        "rows_written": rows,
        "total_rows": rows,
        "progress": 100,
        "finished_at": finished,
        "expires_at": finished + timedelta(hours=settings.LEDGER_EXPORT_KEEP_HOURS),
        "lease_expires_at": None,
    }
    if not _ours(job.pk, attempt).update(**done):
        logger.warning("ledger export %s was taken over by another worker before it finished here", job_id)
        job.file.delete(save=False)
        return None
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, attempt: int, message: str) -> ExportJob:
    _ours(job.pk, attempt).update(
        status=Status.FAILED, error=message, finished_at=timezone.now(), lease_expires_at=None
    )
    job.refresh_from_db()
    return job


def resume_exports(*, now: datetime | None = None) -> list[int]:
    """The jobs to hand out again: abandoned by their worker (lease lapsed) or never received.

    A job that has used up its MAX_ATTEMPTS claims is failed with a message instead. The caller
    queues the ids returned (the beat task "ledger.resume_exports"); a duplicate of a task already
    queued finds nothing to claim.
    """
    now = now or timezone.now()
    stranded = Q(status=Status.RUNNING, lease_expires_at__lte=now) | Q(
        status=Status.PENDING, created_at__lte=now - _lease()
    )
    ExportJob.objects.filter(stranded, attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED,
        error=_("The export was interrupted %(count)d times. Narrow the filters, or try again later.")
        % {"count": MAX_ATTEMPTS},
        finished_at=now,
        lease_expires_at=None,
    )
    job_ids = list(ExportJob.objects.filter(stranded, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True))
    if job_ids:
        logger.warning("resuming %d ledger exports left by their workers: %s", len(job_ids), job_ids)
    return job_ids


# --- Reading jobs -----------------------------------------------------------------------------------


def purge_expired() -> int:
    """Delete the files of exports past their keeping time; the rows stay, marked expired."""
    expired = list(ExportJob.objects.filter(status=Status.READY, expires_at__lte=timezone.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    return ExportJob.objects.filter(pk__in=[job.pk for job in expired]).update(status=Status.EXPIRED, file="")


def job_for(user: User, job_id: int) -> ExportJob:
    """The user's own export job; `ExportJob.DoesNotExist` for anyone else's (the views make it a 404)."""
    return ExportJob.objects.get(user_id=user.pk, pk=job_id)


def ready_exports(user: User) -> QuerySet[ExportJob]:
    """The user's exports ready and not yet downloaded: their in-app notice."""
    return ExportJob.objects.filter(
        user_id=user.pk, status=Status.READY, downloaded_at__isnull=True, expires_at__gt=timezone.now()
    )


def mark_downloaded(job: ExportJob) -> None:
    """Record the first download: the job stops being the user's in-app notice."""
    ExportJob.objects.filter(pk=job.pk, downloaded_at__isnull=True).update(downloaded_at=timezone.now())
