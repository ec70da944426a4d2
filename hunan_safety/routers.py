"""Reports read from a PostgreSQL replica when one is configured (`DATABASE_REPLICA_URL`).

The Excel export reads hundreds of thousands of rows; on a replica it takes nothing from the
primary that serves the pages and the workflow. Only reads inside `reporting_reads()` go there —
the export task and `export_ledger` — so a page never reads behind its own writes. Without a
replica everything stays on `default`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

from hunan_safety.db import long_statements

REPLICA = "replica"
_reporting = ContextVar("reporting_reads", default=False)


@contextmanager
def reporting_reads():
    """Send the reads of this block (a report or an export) to the replica, if there is one.

    A report may read for longer than a page may: its statements get the long timeout.
    """
    token = _reporting.set(True)
    try:
        with long_statements():
            yield
    finally:
        _reporting.reset(token)


class ReportingReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reporting.get() and REPLICA in settings.DATABASES else None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
