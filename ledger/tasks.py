"""Celery tasks of the Excel ledger: thin wrappers that take ids and call `ledger.jobs`."""

import logging

from celery import shared_task
from django.db import transaction

from ledger import jobs

logger = logging.getLogger(__name__)


# acks_late with reject_on_worker_lost: a worker killed mid-export gives the message back, and the
# redelivered task claims the job once the dead worker's lease has lapsed (else the beat resumes it).
@shared_task(name="hazards.export_ledger", acks_late=True, reject_on_worker_lost=True)
def export_ledger(job_id: int) -> None:
    """Write a queued ledger export: the service claims the job, so a repeated delivery does nothing twice.

    The job is reloaded by id and written for its user as that user's scope stands now (an account
    since deactivated gets nothing).
    """
    jobs.run_export(job_id=job_id)


@shared_task(name="ledger.relay_exports")
def relay_exports() -> int:
    """Publish the export jobs that pages recorded since the last relay (beat, every few seconds)."""
    job_ids = jobs.jobs_to_relay()
    transaction.on_commit(lambda: queue_exports(job_ids))
    return len(job_ids)


@shared_task(name="ledger.resume_exports")
def resume_exports() -> int:
    """Queue again the exports whose worker died or whose task was lost (beat, every minute)."""
    job_ids = jobs.resume_exports()
    transaction.on_commit(lambda: queue_exports(job_ids))
    return len(job_ids)


def queue_exports(job_ids: list[int]) -> int:
    """Publish one export task per job; a job whose task cannot be published is failed, saying why.

    Call it after commit. Returns how many were published.
    """
    queued = 0
    for job_id in job_ids:
        try:
            export_ledger.delay(job_id)
        except Exception:  # noqa: BLE001 - a broker outage must not break the page; the job says what happened
            logger.exception("could not queue ledger export %s", job_id)
            jobs.fail_unqueued(job_id)
            continue
        queued += 1
    return queued
