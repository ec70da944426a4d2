"""The standards added in December 2026 (工贸, 金属非金属矿山 and its 2024 supplement, 城镇燃气, 房屋市政 2024,
煤矿 2026) loaded on a database migrated before them, as `manage.py load_standards` would."""

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
        ("rules", "0003_clause_citation"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
