"""Run the deadline scan now, as the 08:30 beat task does, and say what it created per stage."""

from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from notifications import delivery, reminders


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Create the reminders due today (exactly once each) and deliver them: in-app at once; e-mail and "
        "webhook are queued for the Celery workers, or sent by this command with --send."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_day, help="the day to scan for, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--send", action="store_true", help="send e-mail and webhook deliveries here instead of queueing them"
        )
        parser.add_argument("--digest", action="store_true", help="also create the department heads' daily digests")

    def handle(self, *args, today=None, send=False, digest=False, **options):
        try:
            created = reminders.scan_deadlines(today=today, relay=not send)
            digests = reminders.create_digests(today=today, relay=not send) if digest else None
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        for stage, count in created.items():
            self.stdout.write(f"{stage}: {count}")
        self.stdout.write(f"total: {sum(created.values())}")
        if digests is not None:
            self.stdout.write(f"digests: {digests}")
        if send:
            outcomes = delivery.send_due()
            sent = ", ".join(f"{status} {count}" for status, count in sorted(outcomes.items())) or "none due"
            self.stdout.write(f"e-mail and webhook deliveries: {sent}")
        else:
            self.stdout.write("In each recipient's bell; e-mail and webhook deliveries queued for the workers.")
