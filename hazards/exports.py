"""Large ledger exports in the background: the job row, its task, its file and who may fetch it.

The format is `hazards.ledger`; this module only runs it for an `ExportJob`. A job is queued after
its row commits, claimed by one worker with a conditional UPDATE, written for the user who asked
within that user's scope at the time it runs, and kept for LEDGER_EXPORT_KEEP_HOURS. Nobody but
that user can see the job or download its file (anyone else gets a 404).
"""

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hazards import ledger
from hazards.models import ExportJob
from hunan_safety.routers import reporting_reads

logger = logging.getLogger(__name__)

Status = ExportJob.Status
# Paging of the list is not a filter: an export holds every page.
NOT_FILTERS = ("page", "per_page")


def filters_query(params: QueryDict) -> str:
    """The list's GET parameters without its paging, as a query string."""
    query = params.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    return query.urlencode()


def export_count(*, user, params: QueryDict) -> int:
    """How many rows the export of these filters would hold for this user."""
    return ledger.ledger_filter(user, params).qs.count()


def start_export(*, actor, params: QueryDict, total_rows: int | None = None) -> ExportJob:
    """Record an export job and queue its task once the row is committed; the user follows it on its page."""
    purge_expired()
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=actor,
            query=filters_query(params),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            total_rows=total_rows,
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from hazards.tasks import export_ledger

    try:
        export_ledger.delay(job_id)
    except Exception:  # noqa: BLE001 - a broker outage must not break the page; the job says what happened
        logger.exception("could not queue ledger export %s", job_id)
        ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
            status=Status.FAILED,
            error=_("The background service could not be reached. Try again in a few minutes."),
            finished_at=timezone.now(),
        )


def run_export(*, job_id: int) -> ExportJob | None:
    """Write the file of a queued export for the user who asked, within that user's scope now.

    Returns the job, or None when another worker claimed it first (or it is not waiting any more).
    """
    purge_expired()
    now = timezone.now()
    # Claim the job: a retried or duplicated task finds nothing left to do.
    if not ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(status=Status.RUNNING, started_at=now):
        return None
    job = ExportJob.objects.select_related("user__organization").get(pk=job_id)
    user = job.user
    if not user.is_active:
        return _fail(job, _("Your account is no longer active."))
    params = QueryDict(job.query)
    try:
        with translation.override(job.language), reporting_reads(), tempfile.TemporaryFile() as output:
            total = export_count(user=user, params=params)
            ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

            def progress(rows: int) -> None:
                percent = min(99, rows * 100 // total) if total else 99
                ExportJob.objects.filter(pk=job.pk).update(rows_written=rows, progress=percent)

            rows = ledger.write_ledger(output, user=user, params=params, progress=progress)
            output.seek(0)
            job.file_name = ledger.export_file_name(job.created_at)
            job.file.save("ledger.xlsx", File(output), save=False)
    except Exception:  # noqa: BLE001 - the user is told; the traceback goes to the log
        logger.exception("ledger export %s failed", job.pk)
        return _fail(job, _("The export failed. Try again, or narrow the filters."))
    finished = timezone.now()
    job.status = Status.READY
    job.rows_written = rows
    job.total_rows = rows
    job.progress = 100
    job.finished_at = finished
    job.expires_at = finished + timedelta(hours=settings.LEDGER_EXPORT_KEEP_HOURS)
    job.save()
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    job.status = Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def purge_expired() -> int:
    """Delete the files of exports past their keeping time; the rows stay, marked expired."""
    expired = list(ExportJob.objects.filter(status=Status.READY, expires_at__lte=timezone.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    return ExportJob.objects.filter(pk__in=[job.pk for job in expired]).update(status=Status.EXPIRED, file="")


def job_for(user, job_id: int) -> ExportJob:
    """The user's own export job, else 404: nobody sees anyone else's."""
    job = ExportJob.objects.filter(user_id=user.pk, pk=job_id).first()
    if job is None:
        raise Http404
    return job


def ready_exports(user):
    """The user's exports ready and not yet downloaded: their in-app notice."""
    return ExportJob.objects.filter(
        user_id=user.pk, status=Status.READY, downloaded_at__isnull=True, expires_at__gt=timezone.now()
    )


def mark_downloaded(job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk, downloaded_at__isnull=True).update(downloaded_at=timezone.now())
