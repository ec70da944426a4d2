"""Which xlsx writer an export takes: the native one, unless "auto" meets an export too large for its memory.

rust_xlsxwriter builds the whole compressed file in memory when it closes (ledger/writers.py
`writer_for`); above LEDGER_NATIVE_WRITER_MAX_ROWS the export takes XlsxWriter, whose memory is flat.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards.models import Hazard
from ledger import export, jobs, writers
from ledger.models import ExportJob
from tests.ledger.workbooks import numbers

pytestmark = pytest.mark.django_db

needs_native = pytest.mark.skipif(writers.native is None, reason="rvgsrust-xlsxwriter has no wheel on this platform")


@needs_native
def test_auto_keeps_the_native_writer_up_to_the_limit_and_takes_the_flat_one_above(settings):
    settings.LEDGER_EXCEL_WRITER = "auto"
    settings.LEDGER_NATIVE_WRITER_MAX_ROWS = 150_000
    assert writers.writer_for(100_000) == writers.NATIVE
    assert writers.writer_for(150_000) == writers.NATIVE
    assert writers.writer_for(150_001) == writers.PYTHON


@needs_native
@pytest.mark.parametrize("chosen", [writers.NATIVE, writers.PYTHON])
def test_a_writer_the_settings_name_is_kept_whatever_the_size(settings, chosen):
    settings.LEDGER_EXCEL_WRITER = chosen
    settings.LEDGER_NATIVE_WRITER_MAX_ROWS = 10
    assert writers.writer_for(1_000_000) == chosen


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The writer of each workbook the export opens, in order."""
    names: list[str] = []
    open_workbook = writers.open_workbook

    def spy(output, *, name=None):
        names.append(name)
        return open_workbook(output, name=name)

    monkeypatch.setattr(export, "open_workbook", spy)
    return names


@needs_native
def test_a_background_export_above_the_limit_is_written_whole_by_the_flat_writer(inspector, scene, settings, opened):
    settings.LEDGER_EXCEL_WRITER = "auto"
    settings.LEDGER_NATIVE_WRITER_MAX_ROWS = 1  # the inspector's scope holds more than one row
    job = ExportJob.objects.create(user=inspector, query="", language="en")
    jobs.run_export(job_id=job.pk)
    job.refresh_from_db()
    assert opened == [writers.PYTHON]
    assert job.status == ExportJob.Status.READY
    with job.file.open("rb") as stream:
        exported = numbers(stream.read())
    visible = Hazard.objects.visible_to(inspector).values_list("number", flat=True)
    assert len(visible) > 1 and sorted(exported) == sorted(visible)


@needs_native
@pytest.mark.parametrize(("limit", "chosen"), [(1, writers.PYTHON), (1_000_000, writers.NATIVE)])
def test_the_command_chooses_by_the_rows_it_reads_without_counting_them_first(
    inspector, scene, settings, opened, tmp_path, limit, chosen
):
    settings.LEDGER_EXCEL_WRITER = "auto"
    settings.LEDGER_NATIVE_WRITER_MAX_ROWS = limit
    with CaptureQueriesContext(connection) as queries:
        call_command("export_ledger", "--user", inspector.username, "--out", str(tmp_path / "ledger.xlsx"))
    assert opened == [chosen]
    # The ids it reads first say how many rows there are: no COUNT over the whole scope before them.
    assert not [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
