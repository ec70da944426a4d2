"""Fewer index writes per reminder, notification and delivery: the deadline scan inserts hundreds of
thousands of each (issue 19.3).

- reminder: no index on scan or claimed_by (a scan counts and plans what it inserted by the ids its
  INSERT returned); hazard_id is the first column of the unique key reminder_sent_once;
- notification: recipient_id is the first column of notification_unread_idx; actor_id is indexed
  where set (reminders and digests have no actor);
- delivery: reminder_id, digest_id and notification_id are the first columns of their partial
  unique constraints; organization_id is indexed where set (webhook rows).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_organization_robot"),
        ("hazards", "0025_major_hazards_in_ledger_order"),
        ("notifications", "0008_notification_notice"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="reminder",
            name="reminder_scan_idx",
        ),
        migrations.RemoveIndex(
            model_name="reminder",
            name="reminder_claimed_by_idx",
        ),
        # The foreign keys stay as they are: only their single-column indexes go (Django would drop
        # and re-add each constraint, re-checking every row), each covered by another index or made partial.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="digest",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="notifications.digest",
                        verbose_name="daily digest",
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="notification",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="notifications.notification",
                        verbose_name="notification",
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organization",
                        verbose_name="organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="reminder",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="notifications.reminder",
                        verbose_name="reminder",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="hazard",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reminders",
                        to="hazards.hazard",
                        verbose_name="hazard",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_delivery_digest_id_315052ac"',
                    reverse_sql='CREATE INDEX "notifications_delivery_digest_id_315052ac" ON "notifications_delivery" ("digest_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_delivery_notification_id_ea8dc048"',
                    reverse_sql='CREATE INDEX "notifications_delivery_notification_id_ea8dc048" ON "notifications_delivery" ("notification_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_delivery_organization_id_14cd9b04"',
                    reverse_sql='CREATE INDEX "notifications_delivery_organization_id_14cd9b04" ON "notifications_delivery" ("organization_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_delivery_reminder_id_ae4e84ea"',
                    reverse_sql='CREATE INDEX "notifications_delivery_reminder_id_ae4e84ea" ON "notifications_delivery" ("reminder_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_notification_actor_id_ec6170c3"',
                    reverse_sql='CREATE INDEX "notifications_notification_actor_id_ec6170c3" ON "notifications_notification" ("actor_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_notification_recipient_id_d055f3f0"',
                    reverse_sql='CREATE INDEX "notifications_notification_recipient_id_d055f3f0" ON "notifications_notification" ("recipient_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "notifications_reminder_hazard_id_a96fcae3"',
                    reverse_sql='CREATE INDEX "notifications_reminder_hazard_id_a96fcae3" ON "notifications_reminder" ("hazard_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("organization__isnull", False)),
                fields=["organization"],
                name="delivery_organization_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)), fields=["actor"], name="notification_actor_idx"
            ),
        ),
    ]
