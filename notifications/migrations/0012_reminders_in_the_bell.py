"""A planned reminder is in its recipient's bell without a notification row: the row is written when
the recipient next opens their notifications (`noticed_at` says when). The deadline scan no longer
writes one per reminder (issue 19.3).

The reminders already there are noticed: they have their notification (or were planned before it
became the in-app record), so nothing shows twice and nothing old appears as new. The column comes
with the migration's moment as its default for the rows already there, which PostgreSQL records
once instead of rewriting every reminder (never deleted: hundreds of millions in a few years); then
the few not planned yet are set back to NULL, to reach the bell when planned. The index is built
last, with only what is pending in it.

Backwards, each planned reminder still in a bell gets the notification the earlier code expects.
"""

import django.utils.timezone
from django.db import migrations, models


def unplanned_are_not_noticed(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    Reminder.objects.filter(claimed_at__isnull=True).update(noticed_at=None)


def write_what_is_in_the_bells(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    Notification = apps.get_model("notifications", "Notification")
    pending = Reminder.objects.filter(claimed_at__isnull=False, noticed_at__isnull=True, notification__isnull=True)
    for reminder in pending.order_by("pk").values("pk", "recipient_id", "created_at").iterator(chunk_size=2000):
        Notification.objects.create(
            recipient_id=reminder["recipient_id"],
            kind="reminder",
            reminder_id=reminder["pk"],
            created_at=reminder["created_at"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0025_major_hazards_in_ledger_order"),
        ("notifications", "0011_notifications_of_reminders_name_no_hazard"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="noticed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                null=True,
                default=django.utils.timezone.now,
                verbose_name="in the notifications since",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(unplanned_are_not_noticed, write_what_is_in_the_bells),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("claimed_at__isnull", False), ("noticed_at__isnull", True)),
                fields=["recipient"],
                name="reminder_in_bell_idx",
            ),
        ),
    ]
