"""Reminders are not indexed by recipient: nothing reads them by person (the bell reads notifications),
and the deadline scan would write one entry per reminder (issue 19.3; the time saved was within the
bench machine's run-to-run noise).

Only the index goes; the foreign key stays as it is (Django would drop and re-add the constraint,
re-checking every row).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_fewer_index_writes_in_the_scan"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reminder",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reminders",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_reminder_recipient_id_517ea2b6"',
                    reverse_sql='CREATE INDEX "notifications_reminder_recipient_id_517ea2b6" ON "notifications_reminder" ("recipient_id")',
                ),
            ],
        ),
    ]
