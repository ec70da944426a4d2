"""Issue 13 item 7: "我的导出" lists every export, the direct (synchronous) downloads too — who, when,
which filters, how many rows, done — with "download again", which runs the same filters anew through
the user's scope (a direct download's file is not kept)."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from hazards.models import Hazard
from ledger.models import ExportJob
from tests.factories import HazardFactory
from tests.hazards.workflow_helpers import element, text
from tests.ledger.workbooks import table_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def ledger_rows(content: bytes) -> list:
    """The data rows of the (Chinese) workbook's first sheet, the ledger."""
    return table_rows(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_right_after_a_direct_download_my_exports_lists_it_with_its_filters_and_rows(client, head, scene):
    client.force_login(head)

    content = download(client, "/hazards/export.xlsx?level=general&page=3")
    page = client.get("/hazards/exports/").content.decode()

    job = ExportJob.objects.get()
    expected = Hazard.objects.visible_to(head).filter(level="general").count()
    assert (job.user, job.direct, job.status, job.query) == (head, True, ExportJob.Status.READY, "level=general")
    assert job.rows_written == expected == len(ledger_rows(content)) > 0
    assert not job.file and job.downloaded_at is not None  # handed over, not kept
    row = element(page, f'data-export="{job.pk}"', "</tr>")
    assert "已直接下载" in text(row) and "不保存" in text(row) and str(expected) in text(row)
    assert "一般隐患" in text(element(row, 'data-testid="export-filters"', "</td>"))
    assert 'href="/hazards/export.xlsx?level=general" data-testid="download-again"' in row
    assert "您还没有导出过台账" not in page


def test_download_again_runs_the_same_filters_with_todays_data(client, head, scene, recorder):
    client.force_login(head)
    first = download(client, "/hazards/export.xlsx?level=general")
    HazardFactory(found_by=recorder, found_on=timezone.localdate(), title="新发现的一般隐患")

    again = download(client, "/hazards/export.xlsx?level=general")

    assert len(ledger_rows(again)) == len(ledger_rows(first)) + 1
    assert ExportJob.objects.filter(user=head, direct=True).count() == 2


def test_nobody_else_sees_the_record_and_the_link_gives_them_only_their_own_scope(client, head, rectifier, scene):
    client.force_login(head)
    download(client, "/hazards/export.xlsx?level=general")
    heads = ExportJob.objects.get(user=head)
    client.force_login(rectifier)

    page = client.get("/hazards/exports/").content.decode()
    content = download(client, "/hazards/export.xlsx?level=general")

    assert f'data-export="{heads.pk}"' not in page and "您还没有导出过台账。" in page
    assert client.get(f"/hazards/exports/{heads.pk}/").status_code == 404
    rows = ledger_rows(content)
    assert len(rows) == Hazard.objects.visible_to(rectifier).filter(level="general").count()
    assert len(rows) < Hazard.objects.visible_to(head).filter(level="general").count()


def test_a_direct_download_is_no_ready_notice_and_has_no_file_to_fetch(client, head, scene):
    client.force_login(head)
    download(client, "/hazards/export.xlsx")
    job = ExportJob.objects.get()

    assert "export-ready" not in client.get("/hazards/").content.decode()
    assert client.get(f"/hazards/exports/{job.pk}/download/").status_code == 404
    status = client.get(f"/hazards/exports/{job.pk}/").content.decode()
    assert "文件不在系统中保存" in status and 'href="/hazards/export.xlsx"' in status


def test_with_nothing_exported_the_page_says_so(client, head):
    client.force_login(head)

    assert "您还没有导出过台账。" in client.get("/hazards/exports/").content.decode()
