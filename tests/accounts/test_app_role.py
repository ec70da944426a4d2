"""The application's PostgreSQL role reads and writes rows, and can neither empty nor unguard the history."""

import uuid

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hazards.models import HazardEvent
from tests.factories import HazardFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_role(reference_data):
    role = f"hs_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'app-secret'")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def connect_as(role):
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=role,
        password="app-secret",
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )


def refused(app, statement) -> str:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege) as error, app.cursor() as cursor:
        cursor.execute(statement)
    app.rollback()
    return str(error.value)


def test_the_app_role_may_use_rows_but_not_truncate_or_disable_the_event_trigger(app_role):
    hazard = HazardFactory()
    HazardEvent.objects.create(
        hazard=hazard, actor=hazard.found_by, action=HazardEvent.Action.REPORT, to_state=hazard.state
    )
    call_command("grant_app_role", app_role)
    app = connect_as(app_role)
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM hazards_hazardevent")
            assert cursor.fetchone()[0] == 1
            cursor.execute("UPDATE hazards_hazard SET title = title || '（复核）' WHERE id = %s", [hazard.pk])
            assert cursor.rowcount == 1
        app.commit()

        assert "must be owner" in refused(app, "ALTER TABLE hazards_hazardevent DISABLE TRIGGER ALL")
        assert "must be owner" in refused(
            app, "ALTER TABLE hazards_hazardevent DISABLE TRIGGER hazards_event_append_only"
        )
        assert "permission denied" in refused(app, "TRUNCATE hazards_hazardevent")
        assert "permission denied" in refused(app, "TRUNCATE hazards_hazard CASCADE")
        assert "permission denied" in refused(app, "UPDATE hazards_hazardevent SET to_state = 'void'")
        assert "permission denied" in refused(app, "DELETE FROM accounts_accountevent")
        assert "permission denied" in refused(app, "CREATE TABLE public.sneaky (id int)")
    finally:
        app.close()
    assert HazardEvent.objects.count() == 1


def test_a_superuser_is_refused_as_the_app_role(app_role):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER ROLE {app_role} SUPERUSER")
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", app_role)
