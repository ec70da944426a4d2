"""The history is append-only: on PostgreSQL a trigger refuses UPDATE and DELETE of hazard events.

(TRUNCATE, used only to empty a test database, is a different statement and stays allowed.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hazards_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'hazard events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hazards_event_append_only
    BEFORE UPDATE OR DELETE ON hazards_hazardevent
    FOR EACH ROW EXECUTE FUNCTION hazards_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS hazards_event_append_only ON hazards_hazardevent;
DROP FUNCTION IF EXISTS hazards_event_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("hazards", "0005_workflow")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
