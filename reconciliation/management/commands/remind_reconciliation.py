from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reconciliation.reminders import remind_unreconciled


class Command(BaseCommand):
    help = (
        "Remind the units that have not reconciled their last period, RECONCILIATION_REMIND_AFTER_DAYS after it ended."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="run as on this day")

    def handle(self, *args, today, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from None
        self.stdout.write(f"remind_reconciliation: {remind_unreconciled(today=day)} reminders")
