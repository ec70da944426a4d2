"""The triggers that keep the tallies in step with the ledger, and the tallies counted once from it.

Apart from 0001: the tallies' unique keys (NULLS NOT DISTINCT, which the triggers' upserts need)
are created at the end of the migration that makes the tables.
"""

from django.db import migrations


def install_triggers(apps, schema_editor):
    """On PostgreSQL: the triggers that keep the tallies in step, then the tallies counted from the ledger."""
    if schema_editor.connection.vendor != "postgresql":
        return  # the embedded SQLite demo: the statistics count the ledger itself
    from stats import tally

    schema_editor.execute(tally.install_sql())
    schema_editor.execute(tally.rebuild_sql())


def uninstall_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from stats import tally

        schema_editor.execute(tally.UNINSTALL_SQL)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_finding_tallies")]

    operations = [migrations.RunPython(install_triggers, uninstall_triggers)]
