from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import translation

from hunan_safety.routers import reporting_reads
from ledger import export


class Command(BaseCommand):
    help = (
        "Write the Excel ledger USERNAME would export from the hazard list, with the list's filters "
        "as options named like its GET parameters (--level major --state assigned --state rectifying …)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, metavar="USERNAME", help="whose scope the ledger shows")
        parser.add_argument("--out", required=True, metavar="FILE", help="the .xlsx file to write")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the headers and labels",
        )
        group = parser.add_argument_group("filters (as on the list page)")
        for name, multiple in export.filter_parameters():
            flags = [f"--{name}"] + ([f"--{name.replace('_', '-')}"] if "_" in name else [])
            group.add_argument(*flags, dest=f"filter_{name}", metavar="VALUE", action="append" if multiple else "store")

    def handle(self, *args, user, out, language, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"no active user named {user!r}")
        params = QueryDict(mutable=True)
        for name, _multiple in export.filter_parameters():
            value = options.get(f"filter_{name}")
            if value is not None:
                params.setlist(name, value if isinstance(value, list) else [value])
        with translation.override(language):
            hazard_filter = export.ledger_filter(account, params)
            if hazard_filter.is_bound and not hazard_filter.form.is_valid():
                field, errors = next(iter(hazard_filter.form.errors.items()))
                raise CommandError(f"--{field}: {' '.join(str(error) for error in errors)}")
            try:
                with open(out, "wb") as output, reporting_reads():
                    # The writer for this many rows (ledger.writers.writer_for), counted from the ids read first.
                    rows = export.write_ledger(output, user=account, params=params)
            except OSError as error:
                raise CommandError(f"cannot write {out}: {error.strerror or error}") from None
        self.stdout.write(f"export_ledger: {rows} hazards written to {out}")
