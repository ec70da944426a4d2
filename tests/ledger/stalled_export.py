"""Run one background export in this process and stall it after two rows, for a test to kill it.

    python -m tests.ledger.stalled_export JOB_ID

Prints "stalled" once two rows are written and their progress (and the lease) recorded, then
sleeps: the test sends SIGKILL, as an out-of-memory killer or a lost machine would.
"""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hunan_safety.settings")
django.setup()

from ledger import export, jobs  # noqa: E402 - after django.setup()

STALL_AFTER = 2
real_cells = export.LedgerWriter._cells


def stalling_cells(writer, record, today):
    if writer.rows == STALL_AFTER:
        print("stalled", flush=True)
        time.sleep(600)
    return real_cells(writer, record, today)


export.PROGRESS_EVERY = 1  # report (and renew the lease) after every row
export.LedgerWriter._cells = stalling_cells
jobs.run_export(job_id=int(sys.argv[1]))
print("finished", flush=True)
