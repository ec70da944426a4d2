"""The standards added in December 2026 (工贸, 金属非金属矿山 and its 2024 supplement, 城镇燃气, 房屋市政 2024,
煤矿 2026) loaded on a database migrated before them, as `manage.py load_standards` would."""

from django.db import migrations

from rules.standards import load_standards_from_apps


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0003_clause_citation"),
    ]

    operations = [migrations.RunPython(load_standards_from_apps, migrations.RunPython.noop)]
