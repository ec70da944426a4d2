from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.register import seed_register
from demo.services import PERSONAS, DemoSeedError, seed_demo, seed_emergency, seed_hazards

DEFAULT_PASSWORD = "hunan-demo-2026"


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, posts and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the demo personas")
        parser.add_argument(
            "--hazards", type=int, default=0, help="top the ledger up to this many demo hazards (idempotent)"
        )
        parser.add_argument(
            "--units", type=int, default=0, help="make sure the demo register of units has this many (idempotent)"
        )
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")

    def handle(self, *args, password, hazards, units, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError("refusing to load demo data with DEBUG off; pass --force if you mean it")
        if hazards < 0 or units < 0:
            raise CommandError("--hazards and --units must be zero or more")
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("seed_demo: the database already has users; nothing done")
            return
        counts = seed_demo(password=password)
        self.stdout.write(
            f"seed_demo: {counts['organizations']} organisations, {counts['posts']} posts, "
            f"{counts['users']} users; personas {', '.join(PERSONAS)}"
        )
        readiness = seed_emergency(password=password)
        if readiness["shifts"]:
            self.stdout.write(
                f"seed_demo: emergency readiness: {readiness['shifts']} duty shifts, {readiness['plans']} plans, "
                f"{readiness['teams']} rescue teams, {readiness['depots']} depots, {readiness['reports']} reports"
            )
        if hazards:
            try:
                made = seed_hazards(count=hazards)
            except DemoSeedError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"seed_demo: {made['hazards']} hazards created (total {made['total']}), "
                f"{made['inspections']} inspections, {made['campaigns']} campaigns"
            )
        if units:
            # After the ledger: the demo's findings name the six enterprises, the register is the rest.
            made_units = seed_register(count=units, today=timezone.localdate())
            self.stdout.write(
                f"seed_demo: register of {made_units['units']} units, {made_units['inspections']} inspections of them"
            )
