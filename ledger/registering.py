"""Ledger import, the write: the findings, and — when the importer chooses — the units the register lacks.

A unit a ledger names that is not on the register is recorded as a site (场所) of its county by
default (`ledger.validation`). The importer may instead add such units to the register (issue 20):
one unit per county and name, as written in the ledger, of kind "other", operating in the
industries of its rows, and flagged as added by import, to be completed (`ImportedUnit`): its
credit code, address and contacts are the county's to fill in. Only into counties the importer may
record findings for, and in the same transaction as the findings: a refused import adds nothing.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.scope import counties_for
from hazards import workflow
from hazards.models import Hazard
from ledger.models import ImportedUnit
from ledger.reading import ImportCheck, ImportRow
from ledger.validation import name_key


@transaction.atomic
def import_ledger(
    *,
    actor: User,
    check: ImportCheck,
    findings: list[tuple[int, Hazard]],
    file_name: str,
    add_units: bool = False,
) -> tuple[list[Hazard], list[Organization]]:
    """Put a checked file's findings on the ledger and, with `add_units`, its unregistered units on the
    register: (the hazards created, the units added), all of it or nothing (`workflow.HazardError`)."""
    if not check.is_valid:
        raise workflow.HazardError(_("The file has rows with errors: nothing was imported."))
    added = (
        add_unregistered_units(actor=actor, check=check, findings=findings, file_name=file_name) if add_units else []
    )
    created = workflow.import_findings(actor=actor, findings=findings, file_name=file_name, histories=check.histories)
    return created, added


def add_unregistered_units(
    *, actor: User, check: ImportCheck, findings: list[tuple[int, Hazard]], file_name: str
) -> list[Organization]:
    """Add the units named by the rows to import that the register lacks, and make their findings theirs.

    A few bulk statements, whatever the number of rows. A unit of that name that reached the county's
    register since the file was checked is used, not doubled. Call inside the import's transaction.
    """
    rows = {row.number: row for row in check.rows}
    named: dict[str, list[ImportRow]] = {}
    for number, _hazard in findings:
        row = rows[number]
        if row.unregistered_key and row.hazard is not None:
            named.setdefault(row.unregistered_key, []).append(row)
    if not named:
        return []
    # The check resolved each county within the importer's jurisdiction; asked again at the write.
    counties = set(counties_for(actor).values_list("code", flat=True))
    for key_rows in named.values():
        first = key_rows[0]
        assert first.hazard is not None
        if first.hazard.region_id not in counties:
            raise workflow.HazardError(
                _("Row %(row)d: units can be added to the register only in the counties you record findings for.")
                % {"row": first.number}
            )
    on_register = {
        f"{unit.region_id}:{name_key(unit.name)}": unit
        for unit in Organization.objects.filter(
            region_id__in={rows_[0].hazard.region_id for rows_ in named.values() if rows_[0].hazard},
            name__in={row.unregistered_unit for rows_ in named.values() for row in rows_},
        )
    }
    for key, key_rows in named.items():
        unit = on_register.get(key)
        if unit is not None and not unit.is_register_unit:
            raise workflow.HazardError(
                _("Row %(row)d: “%(unit)s” is an authority, not a unit of the register.")
                % {"row": key_rows[0].number, "unit": unit.name}
            )
    new = {
        key: Organization(
            name=key_rows[0].unregistered_unit,
            kind=Organization.Kind.OTHER,
            region_id=key_rows[0].hazard.region_id,  # type: ignore[union-attr]  # rows to import have a hazard
            status=Organization.Status.OPERATING,
        )
        for key, key_rows in named.items()
        if key not in on_register
    }
    Organization.objects.bulk_create(new.values())
    units = {**on_register, **new}
    Through = Organization.industries.through
    Through.objects.bulk_create(
        {
            (units[key].pk, row.hazard.industry_id): Through(
                organization_id=units[key].pk, industry_id=row.hazard.industry_id
            )
            for key, key_rows in named.items()
            for row in key_rows
            if row.hazard is not None
        }.values(),
        ignore_conflicts=True,
    )
    ImportedUnit.objects.bulk_create(
        ImportedUnit(unit=unit, file_name=file_name[:200], row=named[key][0].number, added_by=actor)
        for key, unit in new.items()
    )
    for key, key_rows in named.items():
        for row in key_rows:
            hazard = row.hazard
            assert hazard is not None
            hazard.unit = units[key]
            if hazard.site_name == row.unregistered_unit:
                hazard.site_name = ""  # it was the unit's name standing in for a site
    return list(new.values())
