"""The determination standards shipped in rules/data/standards (later changes: `manage.py load_standards`)."""

from django.db import migrations

from rules.standards import load_standards_from_apps


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0001_calendar_standards_checklists"),
        ("hazards", "0011_industry_to_accounts"),
    ]

    operations = [migrations.RunPython(load_standards_from_apps, migrations.RunPython.noop)]
