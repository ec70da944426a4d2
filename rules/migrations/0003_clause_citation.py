"""Clauses cited by article and item (第四条第（一）项) keep their citation; the files are loaded again to fill it."""

from django.db import migrations, models

from rules.standards import load_standards_from_apps


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0002_load_determination_standards"),
    ]

    operations = [
        migrations.AddField(
            model_name="determinationclause",
            name="citation",
            field=models.CharField(blank=True, max_length=60, verbose_name="citation"),
        ),
        migrations.RunPython(load_standards_from_apps, migrations.RunPython.noop),
    ]
