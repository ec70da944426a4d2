"""Load Hunan's administrative divisions (GB/T 2260): 1 province, 14 cities, 122 counties."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "hunan-regions.csv"


def load_regions(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    with CSV_PATH.open(encoding="utf-8") as csv_file:
        rows = list(csv.DictReader(csv_file))
    # Parents before children: the file may list them in any order.
    depth = {"province": 0, "city": 1, "county": 2}
    for row in sorted(rows, key=lambda row: (depth[row["level"]], row["code"])):
        Region.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent_id": row["parent_code"] or None},
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
