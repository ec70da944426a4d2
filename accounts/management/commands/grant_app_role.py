"""Give the application's PostgreSQL role what the web, the workers and the beat need, and no more.

Run by the owner of the tables after every migrate (docker-compose.yml's `migrate` service):

    python manage.py grant_app_role hunan_app

The role may read and write rows (SELECT, INSERT, UPDATE, DELETE) and use the sequences; it owns
nothing, so it can neither alter a table (nor disable its trigger) nor TRUNCATE one. On the
append-only tables (settings.APPEND_ONLY_MODELS: the hazard history, the audit of people) it may only
read and add rows.
"""

import re

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role DML rights only (read and add-only on append-only tables)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the web, workers and beat connect as, e.g. hunan_app")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL")
        append_only = [apps.get_model(label)._meta.db_table for label in settings.APPEND_ONLY_MODELS]
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
            raise CommandError(f"{role!r} is not a plain role name (lower-case letters, digits, _)")
        quote = connection.ops.quote_name
        who, database_name = quote(role), quote(connection.settings_dict["NAME"])
        statements = [
            f"GRANT CONNECT ON DATABASE {database_name} TO {who}",
            f"GRANT USAGE ON SCHEMA public TO {who}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
            *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {who}" for table in append_only),
        ]
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"there is no role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD …)")
            if found[0]:
                raise CommandError(f"{role!r} is a superuser or may create roles: the application needs a plain role")
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s", [role])
            if cursor.fetchone()[0]:
                raise CommandError(f"{role!r} owns tables: migrate as the owner, and let {role!r} only connect")
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"grant_app_role: {role} may read and write rows; add-only on {', '.join(append_only)}; owns nothing"
        )
