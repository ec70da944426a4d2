"""A confirmed reconciliation cannot change: on PostgreSQL triggers refuse, as for the hazards' events,

- UPDATE or DELETE of a reconciliation once it is confirmed;
- INSERT, UPDATE or DELETE of an item of a confirmed reconciliation;
- UPDATE or DELETE of any reconciliation event (the history is append-only).

(TRUNCATE, used only to empty a test database, is a different statement and stays allowed.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION reconciliation_confirmed_is_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'confirmed' THEN
        RAISE EXCEPTION 'a confirmed reconciliation is immutable: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reconciliation_confirmed_is_immutable
    BEFORE UPDATE OR DELETE ON reconciliation_reconciliation
    FOR EACH ROW EXECUTE FUNCTION reconciliation_confirmed_is_immutable();

CREATE OR REPLACE FUNCTION reconciliation_item_of_confirmed_is_immutable() RETURNS trigger AS $$
DECLARE
    parent_id bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        parent_id := OLD.reconciliation_id;
    ELSE
        parent_id := NEW.reconciliation_id;
    END IF;
    IF EXISTS (SELECT 1 FROM reconciliation_reconciliation WHERE id = parent_id AND state = 'confirmed')
       OR (TG_OP = 'UPDATE' AND EXISTS (
           SELECT 1 FROM reconciliation_reconciliation WHERE id = OLD.reconciliation_id AND state = 'confirmed')) THEN
        RAISE EXCEPTION 'the items of a confirmed reconciliation are immutable: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reconciliation_item_of_confirmed_is_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON reconciliation_reconciliationitem
    FOR EACH ROW EXECUTE FUNCTION reconciliation_item_of_confirmed_is_immutable();

CREATE OR REPLACE FUNCTION reconciliation_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'reconciliation events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reconciliation_event_append_only
    BEFORE UPDATE OR DELETE ON reconciliation_reconciliationevent
    FOR EACH ROW EXECUTE FUNCTION reconciliation_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS reconciliation_event_append_only ON reconciliation_reconciliationevent;
DROP FUNCTION IF EXISTS reconciliation_event_append_only();
DROP TRIGGER IF EXISTS reconciliation_item_of_confirmed_is_immutable ON reconciliation_reconciliationitem;
DROP FUNCTION IF EXISTS reconciliation_item_of_confirmed_is_immutable();
DROP TRIGGER IF EXISTS reconciliation_confirmed_is_immutable ON reconciliation_reconciliation;
DROP FUNCTION IF EXISTS reconciliation_confirmed_is_immutable();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0001_reconciliation")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
