"""The determination standards shipped in rules/data/standards (later changes: `manage.py load_standards`)."""

from django.db import migrations


def load(apps, schema_editor):
    from rules.standards import load_standards

    load_standards(
        apps.get_model("rules", "DeterminationStandard"),
        apps.get_model("rules", "DeterminationClause"),
        apps.get_model("accounts", "Industry"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0001_calendar_standards_checklists"),
        ("hazards", "0011_industry_to_accounts"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
