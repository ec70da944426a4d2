# ExportJob moved to the ledger app (ledger 0001), which keeps its table "hazards_exportjob":
# this migration forgets the model here without touching the database, so no row is lost.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hazards", "0011_industry_to_accounts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExportJob")],
            database_operations=[],
        ),
    ]
