"""Celery tasks of the ledger: thin wrappers that take ids (or nothing) and call services."""

from celery import shared_task


@shared_task(name="hazards.export_ledger", acks_late=True)
def export_ledger(job_id: int) -> None:
    """Write a queued ledger export: the service claims the job, so a repeated delivery does nothing twice.

    The job is reloaded by id and written for its user as that user's scope stands now (an account
    since deactivated gets nothing).
    """
    from hazards.exports import run_export

    run_export(job_id=job_id)
