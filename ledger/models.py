"""Background ledger exports: the job row a user follows, and the lease of the worker writing it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_path(job: "ExportJob", filename: str) -> str:
    return f"ledger-exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ExportJob(models.Model):
    """A large ledger export run in the background (ledger/jobs.py): its filters, progress and file.

    Only the user who asked can follow it or download the file, which is kept until `expires_at`
    (LEDGER_EXPORT_KEEP_HOURS). A ready, undownloaded job is that user's in-app notice.

    A direct (synchronous) download is recorded too, `direct`, finished and downloaded, without a
    file: "My exports" lists it, and "download again" runs its filters through the user's scope anew.

    A worker claims the job for LEDGER_EXPORT_LEASE_SECONDS (`lease_expires_at`) and renews the
    lease as it writes; `attempts` counts the claims and names the current one, so that a worker
    whose lease was taken over can no longer finish the job. The table keeps its name from when the
    model lived in `hazards` (hazards 0007).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="ledger_exports"
    )
    # The list's GET parameters, as the list had them: the task applies the same HazardFilter.
    query = models.TextField(_("filters"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_rows = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    lease_expires_at = models.DateTimeField(_("worker's lease until"), null=True, blank=True)
    # The job row is its own outbox: the relay (beat) hands waiting jobs to the workers and notes when.
    queued_at = models.DateTimeField(_("handed to the workers"), null=True, blank=True)
    # A small export is written in the request and handed over at once: it is recorded here too, so
    # that "My exports" lists it, but its file is not kept (downloading it again re-runs the filters).
    direct = models.BooleanField(_("downloaded directly"), default=False)
    # The filters in words, as the user saw them when exporting (in the export's language).
    filters_summary = models.TextField(_("filters in words"), blank=True)

    class Meta:
        db_table = "hazards_exportjob"
        verbose_name = _("ledger export")
        verbose_name_plural = _("ledger exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "status"], name="export_job_user_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_job_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.READY
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )


class ImportProfile(models.Model):
    """How a ledger's own headers and words map to ours: an organisation's own, or a named profile.

    An organisation's own mapping (`organization` set, no name) is learnt on the upload page: what a
    user maps once is taken for the next file of the same shape. A named profile (no organisation,
    e.g. "某企业检查导出") is kept by an administrator and chosen on the page or with `import_ledger
    --profile NAME`. `columns`: header key (ledger.reading.header_key) → import column key;
    `values`: field (industry, level, kind, source, yes_no) → word key → stored value (an industry by code).
    """

    name = models.CharField(_("name"), max_length=100, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_profiles",
    )
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ["name", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(organization__isnull=False), name="import_profile_one_per_org"
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(organization__isnull=True), name="import_profile_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | ~Q(name=""), name="import_profile_named_or_owned"
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.organization)


class ImportedUnit(models.Model):
    """A unit a ledger import added to the register (issue 20): added by import, to be completed.

    The import knew only its name and county (and the industries of its rows); its credit code,
    address, kind and contacts are for the county to complete. Deleting this row (in the
    administration, once the unit is completed) lifts the flag.
    """

    unit = models.OneToOneField(
        "accounts.Organization",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="added_by_import",
    )
    file_name = models.CharField(_("imported from"), max_length=200)
    row = models.PositiveIntegerField(_("first row naming it"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("unit added by import, to be completed")
        verbose_name_plural = _("units added by import, to be completed")
        ordering = ["-added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.unit_id} ← {self.file_name} row {self.row}"
