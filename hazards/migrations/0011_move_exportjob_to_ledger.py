# ExportJob moved to the ledger app (ledger 0001), which keeps its table "hazards_exportjob":
# this migration forgets the model here without touching the database, so no row is lost.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hazards", "0010_open_work_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExportJob")],
            database_operations=[],
        ),
    ]
