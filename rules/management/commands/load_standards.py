from django.core.management.base import BaseCommand

from rules.standards import load_standards


class Command(BaseCommand):
    help = (
        "Bring the determination standards in line with rules/data/standards/*.json (adds and updates, never deletes)."
    )

    def handle(self, *args, **options):
        count = load_standards()
        self.stdout.write(self.style.SUCCESS(f"{count} determination standards loaded"))
