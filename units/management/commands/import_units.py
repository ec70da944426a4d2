from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from hazards import workflow
from ledger.reading import ImportFileError
from units import importing


class Command(BaseCommand):
    help = (
        "Import a county's register of units (.xlsx) as USERNAME: every row is checked first and a file with "
        "any bad row imports nothing; a unit already registered (same credit code, or same name in the county) "
        "is merged, not doubled."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the .xlsx register")
        parser.add_argument("--user", required=True, metavar="USERNAME", help="who imports it")
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages",
        )

    def handle(self, *args, file, user, dry_run, language, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"no active user named {user!r}")
        if not workflow.can_report(account):
            raise CommandError(f"{user} is not an inspector or department head, so may not import a register")
        path = Path(file)
        with translation.override(language):
            try:
                with path.open("rb") as stream:
                    check = importing.check_units(stream, actor=account, file_name=path.name)
            except OSError as error:
                raise CommandError(f"cannot read {file}: {error.strerror or error}") from None
            if check.error:
                raise CommandError(check.error)
            if check.bad_rows:
                for row in check.bad_rows:
                    for row_error in row.errors:
                        self.stderr.write(f"row {row.number}: {row_error}")
                raise CommandError(f"{len(check.bad_rows)} of {len(check.rows)} rows have errors; nothing was imported")
            if dry_run:
                self.stdout.write(
                    f"import_units: dry run, {check.new_count} units would be added and {check.merged_count} rows "
                    "merged with units already registered; nothing written"
                )
                return
            try:
                created, merged = importing.import_units(actor=account, check=check)
            except ImportFileError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(f"import_units: {created} units added, {merged} merged, from {path.name}")
