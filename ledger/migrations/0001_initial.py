# ExportJob moved here from hazards (hazards 0007 created its table, hazards 0011 forgets it there).
# State only: the table "hazards_exportjob" and its rows stay as they are.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import ledger.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("hazards", "0012_move_exportjob_to_ledger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("query", models.TextField(blank=True, verbose_name="filters")),
                        ("language", models.CharField(max_length=10, verbose_name="language")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting to start"),
                                    ("running", "Being written"),
                                    ("ready", "Ready"),
                                    ("failed", "Failed"),
                                    ("expired", "Expired"),
                                ],
                                default="pending",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="progress (%)")),
                        (
                            "total_rows",
                            models.PositiveIntegerField(blank=True, null=True, verbose_name="rows to write"),
                        ),
                        ("rows_written", models.PositiveIntegerField(default=0, verbose_name="rows written")),
                        (
                            "file",
                            models.FileField(
                                blank=True, max_length=200, upload_to=ledger.models.export_path, verbose_name="file"
                            ),
                        ),
                        ("file_name", models.CharField(blank=True, max_length=200, verbose_name="file name")),
                        ("error", models.TextField(blank=True, verbose_name="error")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="asked")),
                        ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="kept until")),
                        ("downloaded_at", models.DateTimeField(blank=True, null=True, verbose_name="downloaded")),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="ledger_exports",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "ledger export",
                        "verbose_name_plural": "ledger exports",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "hazards_exportjob",
                        "indexes": [models.Index(fields=["user", "status"], name="export_job_user_status_idx")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("progress__lte", 100)), name="export_job_progress_percent"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
