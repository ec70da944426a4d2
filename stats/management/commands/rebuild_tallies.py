"""Count the statistics' tallies again from the ledger, or check that they equal a recount.

    python manage.py rebuild_tallies            # recount (writers wait for the few seconds it takes)
    python manage.py rebuild_tallies --check    # compare only; exit status 1 when they differ

The triggers keep the tallies in step on every write; a rebuild is for after a restore, or after a
bulk load run with the triggers disabled.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from stats import tally


class Command(BaseCommand):
    help = "Recount the statistics' tallies from the ledger (--check: compare them with a recount only)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare with a recount; change nothing")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, check: bool, database: str, **options):
        if connections[database].vendor != "postgresql":
            raise CommandError("the tallies are kept on PostgreSQL only; elsewhere the statistics count the ledger")
        if not check:
            tally.rebuild(using=database)
        differences = tally.differences(using=database)
        for table, count in differences.items():
            self.stdout.write(f"{table}: {count} rows differ from a recount of the ledger")
        if any(differences.values()):
            raise CommandError("the tallies differ from the ledger: run rebuild_tallies")
        if not tally.in_use(using=database):
            raise CommandError("the tally triggers are missing or disabled: the statistics count the ledger itself")
