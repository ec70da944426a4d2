# The lease of the worker writing a background export (ledger/jobs.py): a job whose worker died is
# claimed again once its lease lapses, and `attempts` names the current claim.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="lease_expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="worker's lease until"),
        ),
    ]
