"""A reminder's notification no longer repeats its reminder's hazard (Notification.about): the deadline
scan writes it without a foreign-key check on the hazards table or an index entry (issue 19.3). The
index keeps the rows that name a hazard (events); notifications written before keep theirs, and both
read the same.

The new index is built first (CREATE INDEX lets the bell and the list read meanwhile); the old one
goes last, so the exclusive lock DROP INDEX takes lasts only until the commit right after it. It goes
by SQL: as an AlterField, Django would drop and re-add the foreign key, re-checking every row.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0025_major_hazards_in_ledger_order"),
        ("notifications", "0010_reminders_not_indexed_by_recipient"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("hazard__isnull", False)), fields=["hazard"], name="notification_hazard_idx"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="hazard",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notifications",
                        to="hazards.hazard",
                        verbose_name="hazard",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_notification_hazard_id_6ac7be54"',
                    reverse_sql='CREATE INDEX "notifications_notification_hazard_id_6ac7be54"'
                    ' ON "notifications_notification" ("hazard_id")',
                ),
            ],
        ),
    ]
