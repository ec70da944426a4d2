"""Excel ledger pages: export what the list shows, follow a large export, import a unit's ledger.

Thin: the format is `ledger.export`, the checks `ledger.validation`, the template and the error
workbook `ledger.template`, background exports `ledger.jobs` (handed to the workers by the beat's relay, `ledger.tasks`), the
writes `hazards.workflow.import_findings`. Exports show only `Hazard.objects.visible_to(user)`
through the list's own filters; importing is for those who may record findings (else a 404).
"""

import tempfile
import uuid
from datetime import timedelta
from pathlib import PurePath
from typing import BinaryIO, cast

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from hazards import workflow
from ledger import export, jobs, mappings, registering, template, validation
from ledger.formats import XLSX_CONTENT_TYPE
from ledger.forms import ImportForm, MappingForm
from ledger.mappings import named_profiles
from ledger.models import ExportJob, ImportProfile
from ledger.reading import ImportCheck

IMPORT_DIR = "ledger-imports"
SESSION_KEY = "ledger_imports"
DONE_KEY = "ledger_import_done"
KEEP_UPLOADS = timedelta(days=1)
IMPORT_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")  # the name kept; the reader goes by content
ROWS_SHOWN = 200  # a page shows this many rows; the error workbook has them all


def _xlsx_response(output, file_name: str) -> FileResponse:
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=file_name, content_type=XLSX_CONTENT_TYPE)


# --- Export ---------------------------------------------------------------------------------


@require_GET
def ledger_export(request):
    """The list's hazards for these filters as a workbook; above the threshold, a background job."""
    params = QueryDict(jobs.filters_query(request.GET))
    count = jobs.export_count(user=request.user, params=params)
    if count > settings.LEDGER_EXPORT_ASYNC_THRESHOLD:
        # Only the job's row is written: the relay publishes it, so a hung broker never holds the page.
        job = jobs.start_export(actor=request.user, params=params, total_rows=count)
        return redirect("ledger:export_job", pk=job.pk)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    rows = export.write_ledger(output, user=request.user, params=params)
    job = jobs.record_direct_export(actor=request.user, params=params, rows=rows)  # listed under "My exports"
    return _xlsx_response(output, job.file_name)


def _own_job(request, pk: int) -> ExportJob:
    """The signed-in user's export job, else 404: nobody sees anyone else's."""
    try:
        return jobs.job_for(request.user, pk)
    except ExportJob.DoesNotExist:
        raise Http404 from None


@require_GET
def export_job(request, pk: int):
    """A background export's progress; the page asks again every few seconds until it is finished."""
    job = _own_job(request, pk)
    partial = "ledger/includes/export_job_status.html" if request.headers.get("HX-Request") else None
    return render(request, partial or "ledger/export_job.html", {"job": job})


@require_GET
def export_download(request, pk: int):
    """The file of the user's own finished export; 404 once it has expired."""
    job = _own_job(request, pk)
    if not job.is_downloadable:
        raise Http404
    jobs.mark_downloaded(job)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name, content_type=XLSX_CONTENT_TYPE)


@require_GET
def export_list(request):
    """The user's last exports, background and direct, newest first."""
    own_jobs = request.user.ledger_exports.all()[:30]
    return render(request, "ledger/export_list.html", {"jobs": own_jobs})


# --- Import ---------------------------------------------------------------------------------


def _require_reporter(user: User) -> None:
    if not workflow.can_report(user):
        raise Http404


def _keep_upload(request, upload, profile: ImportProfile | None = None, *, add_units: bool = False) -> str:
    """Keep the uploaded file for this session (to confirm it or download its errors); return its token."""
    _purge_old_uploads()
    token = uuid.uuid4().hex
    suffix = PurePath(upload.name).suffix.lower()
    path = default_storage.save(f"{IMPORT_DIR}/{token}{suffix if suffix in IMPORT_SUFFIXES else '.xlsx'}", upload)
    kept = request.session.get(SESSION_KEY, {})
    kept[token] = {
        "path": path,
        "name": PurePath(upload.name).name[:200],
        "profile": profile.pk if profile else None,
        "add_units": add_units,
    }
    request.session[SESSION_KEY] = dict(list(kept.items())[-5:])
    return token


def _kept_upload(request, token: str) -> dict:
    """A file this session uploaded, else 404: nobody reaches anyone else's upload."""
    kept = request.session.get(SESSION_KEY, {}).get(token)
    if kept is None or not default_storage.exists(kept["path"]):
        raise Http404
    return kept


def _forget_upload(request, token: str) -> None:
    kept = request.session.get(SESSION_KEY, {})
    entry = kept.pop(token, None)
    request.session[SESSION_KEY] = kept
    if entry:
        default_storage.delete(entry["path"])


def _purge_old_uploads() -> None:
    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - KEEP_UPLOADS
    for name in files:
        path = f"{IMPORT_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def _check(request, kept: dict) -> ImportCheck:
    profile = named_profiles().filter(pk=kept.get("profile")).first() if kept.get("profile") else None
    mapping = mappings.mapping_for(request.user.organization, profile)
    with default_storage.open(kept["path"], "rb") as stream:
        # A Django File proxies the binary file it opened (read, seek, tell): what the reader needs.
        return validation.check_import(
            cast(BinaryIO, stream), actor=request.user, file_name=kept["name"], mapping=mapping
        )


def ledger_import(request):
    """Upload a ledger: check every row; import all of it or nothing; a dry run only shows what would be created.

    A fresh upload with likely duplicates is shown first, so that the user can confirm them; the
    import from that page skips the duplicates not confirmed.
    """
    _require_reporter(request.user)
    form = ImportForm()
    if request.method != "POST":
        return render(request, "ledger/ledger_import.html", {"form": form, "done": request.session.pop(DONE_KEY, None)})

    action = request.POST.get("action")
    dry_run = action in ("check", "map")
    token = request.POST.get("token", "")
    reviewed = bool(token)
    if reviewed:
        kept = _kept_upload(request, token)
    else:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "ledger/ledger_import.html", {"form": form}, status=400)
        token = _keep_upload(
            request, form.cleaned_data["file"], form.cleaned_data["profile"], add_units=form.cleaned_data["add_units"]
        )
        kept = _kept_upload(request, token)
    # The preview's own choice, when it offered one, wins over the upload's.
    add_units = bool(request.POST.get("add_units")) if "units_choice" in request.POST else kept.get("add_units", False)
    check = _check(request, kept)
    if action == "map" and request.user.organization is not None:
        # What the user mapped is the organisation's from now on; the file is read again with it.
        mapping_form = MappingForm(request.POST, check=check, user=request.user)
        if mapping_form.is_valid():
            columns, values = mapping_form.mapping()
            mappings.remember(request.user.organization, columns=columns, values=values)
            check = _check(request, kept)

    # A fresh upload with columns or words we do not know asks first (once: the answer is kept).
    asks = check.needs_mapping and not reviewed
    if check.is_valid and not dry_run and not asks and (reviewed or not check.duplicates):
        confirmed = [int(row) for row in request.POST.getlist("confirm") if row.isdigit()]
        findings = check.findings(confirmed=confirmed)
        try:
            created, added = registering.import_ledger(
                actor=request.user, check=check, findings=findings, file_name=kept["name"], add_units=add_units
            )
        except workflow.HazardError as error:
            messages.error(request, str(error))
        else:
            _forget_upload(request, token)
            skipped = [row.number for row in check.duplicates if row.number not in confirmed]
            request.session[DONE_KEY] = {
                "file": kept["name"],
                "hazards": [(hazard.pk, hazard.number, hazard.title) for hazard in created],
                "skipped": skipped,
                "units": [(unit.pk, unit.name) for unit in added],
            }
            return redirect("ledger:import")
    context = {
        "form": ImportForm(),
        "mapping_form": MappingForm(check=check, user=request.user)
        if check.needs_mapping and request.user.organization is not None
        else None,
        "check": check,
        "token": token,
        "dry_run": dry_run,
        "add_units": add_units,
        "rows_shown": ROWS_SHOWN,
        "bad_rows": [
            (row, [validation.shown_value(row.values.get(key)) for key, _header in check.shown_columns])
            for row in check.bad_rows[:ROWS_SHOWN]
        ],
        "good_rows": [row for row in check.rows if row.hazard is not None][:ROWS_SHOWN],
    }
    return render(request, "ledger/ledger_import.html", context, status=200 if check.is_valid else 400)


@require_GET
def import_errors(request, token: str):
    """The uploaded rows with an error column, for the user to fix and upload again."""
    _require_reporter(request.user)
    kept = _kept_upload(request, token)
    check = _check(request, kept)
    if check.error:
        raise Http404
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    template.write_import_errors(output, check)
    stem = PurePath(kept["name"]).stem
    return _xlsx_response(output, f"{stem}-{_('errors')}.xlsx")


@require_GET
def import_template(request):
    _require_reporter(request.user)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    template.write_import_template(output, user=request.user)
    # Not inside an f-string: makemessages cannot see a string there, and the name stayed English.
    name = _("Hazard ledger import template")
    return _xlsx_response(output, f"{name}.xlsx")
