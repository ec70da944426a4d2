"""A planned reminder is in its recipient's bell without a notification row: the row is written when
the recipient next opens their notifications (`noticed_at` says when). The deadline scan no longer
writes one per reminder (issue 19.3).

The reminders that already have their notification are marked noticed when it was written, and so
are planned ones without any (written before the notification became the in-app channel's record):
nothing already in someone's notifications shows twice, and nothing old appears as new. The index
is built after that update, so it starts with nothing in it.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def mark_what_is_already_noticed(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    Notification = apps.get_model("notifications", "Notification")
    written = Notification.objects.filter(reminder_id=OuterRef("pk")).values("created_at")[:1]
    Reminder.objects.filter(claimed_at__isnull=False).update(noticed_at=Coalesce(Subquery(written), "claimed_at"))


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
                blank=True, editable=False, null=True, verbose_name="in the notifications since"
            ),
        ),
        migrations.RunPython(mark_what_is_already_noticed, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="reminder",
            index=models.Index(
                condition=models.Q(("claimed_at__isnull", False), ("noticed_at__isnull", True)),
                fields=["recipient"],
                name="reminder_in_bell_idx",
            ),
        ),
    ]
