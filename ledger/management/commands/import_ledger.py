from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from hazards import workflow
from ledger import registering, template, validation
from ledger.mappings import mapping_for, named_profiles


class Command(BaseCommand):
    help = (
        "Import findings from a unit's ledger (.xlsx, .xls, .ods or .csv) as USERNAME: every row is checked first, and a "
        "file with any bad row imports nothing. Likely duplicates are skipped unless --include-duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the ledger: .xlsx, .xls, .ods or .csv (UTF-8 or GBK)")
        parser.add_argument("--user", required=True, metavar="USERNAME", help="who records the findings")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show what would be created; write nothing"
        )
        parser.add_argument(
            "--include-duplicates", action="store_true", help="also import the rows flagged as likely duplicates"
        )
        parser.add_argument(
            "--add-units",
            action="store_true",
            help="add the units the register does not have to it (each in its county, with the name given, flagged "
            "as added by import, to be completed) instead of recording them as sites",
        )
        parser.add_argument("--errors-out", metavar="FILE", help="write the rows with an error column here")
        parser.add_argument(
            "--profile",
            metavar="NAME",
            help="a named import profile (Administration → Import profiles): its column and value mappings "
            "first, then the user's organisation's own",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the messages and of the events' text",
        )

    def handle(
        self, *args, file, user, dry_run, include_duplicates, errors_out, language, profile, add_units, **options
    ):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"no active user named {user!r}")
        if not workflow.can_report(account):
            raise CommandError(f"{user} may not record findings, so may not import them")
        named = None
        if profile:
            named = named_profiles().filter(name=profile).first()
            if named is None:
                known = ", ".join(named_profiles().values_list("name", flat=True)) or "none"
                raise CommandError(f"no import profile named {profile!r} (there are: {known})")
        mapping = mapping_for(account.organization, named)
        path = Path(file)
        with translation.override(language):
            try:
                with path.open("rb") as stream:
                    check = validation.check_import(stream, actor=account, file_name=path.name, mapping=mapping)
            except OSError as error:
                raise CommandError(f"cannot read {file}: {error.strerror or error}") from None
            if check.error:
                raise CommandError(check.error)
            for warning in check.warnings:
                self.stderr.write(f"warning: {warning}")
            if check.bad_rows:
                for row in check.bad_rows:
                    for row_error in row.errors:
                        self.stderr.write(f"row {row.number}: {row_error}")
                if errors_out:
                    with open(errors_out, "wb") as output:
                        template.write_import_errors(output, check)
                raise CommandError(
                    f"{len(check.bad_rows)} of {len(check.rows)} rows have errors; nothing was imported"
                    + (f" (rows with errors written to {errors_out})" if errors_out else "")
                )
            findings = check.findings(all_duplicates=include_duplicates)
            for row in check.duplicates:
                action = "imported anyway" if include_duplicates else "skipped"
                self.stdout.write(f"row {row.number}: likely duplicate of {row.duplicate_of}, {action}")
            for (_field, word), shown in check.mapped_values.items():
                self.stdout.write(f"read in the ledger's words: {word} → {shown}")
            if check.unregistered and add_units:
                self.stdout.write(
                    f"{check.unregistered_rows} rows name {len(check.unregistered)} units not in the register; "
                    f"{check.units_to_add} units will be added to the register, to be completed: "
                    f"{'、'.join(check.unregistered)}"
                )
            elif check.unregistered:
                self.stdout.write(
                    f"{check.unregistered_rows} rows name {len(check.unregistered)} units not in the register; "
                    f"recorded as sites: {'、'.join(check.unregistered)}"
                )
            if dry_run:
                for row in check.rows:
                    hazard = row.hazard
                    if hazard is not None and (row.number, hazard) in findings:
                        self.stdout.write(
                            f"row {row.number}: would create “{hazard.title}” · {hazard.industry.name} · "
                            f"{hazard.region.name} · {hazard.place} · {hazard.found_on.isoformat()}"
                        )
                self.stdout.write(f"import_ledger: dry run, {len(findings)} findings would be created; nothing written")
                return
            try:
                created, added = registering.import_ledger(
                    actor=account, check=check, findings=findings, file_name=path.name, add_units=add_units
                )
            except workflow.HazardError as error:
                raise CommandError(str(error)) from None
        numbers = ", ".join(hazard.number for hazard in created)
        self.stdout.write(f"import_ledger: {len(created)} findings imported from {path.name}: {numbers}")
        if added:
            names = "、".join(unit.name for unit in added)
            self.stdout.write(f"import_ledger: {len(added)} units added to the register, to be completed: {names}")
