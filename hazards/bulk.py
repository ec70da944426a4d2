"""Bulk actions of the ledger for department heads: several hazards at once, all or none.

Each hazard goes through the workflow service (hazards/workflow.py) one at a time, with its own
checks, event and notices; the whole batch is one transaction. If any hazard is refused, every
refusal is collected and reported and nothing changes: a head never has to find out which half of
a batch went through.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from hazards import workflow
from hazards.models import Hazard
from hazards.transitions import HazardError, HazardNotFound

BULK_ACTIONS = ("assign", "close")
BULK_MAX = 100  # a page of the ledger at its largest


@dataclass(frozen=True)
class Refusal:
    number: str
    reason: str


class BulkRefused(HazardError):
    """At least one hazard of the batch was refused; nothing was done. `refusals` says which and why."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__(
            _("Nothing was changed: %(count)d of the hazards chosen cannot be handled so.") % {"count": len(refusals)}
        )
        self.refusals = refusals


def _chosen(actor: User, hazard_ids: list[int]) -> list[Hazard]:
    """The hazards chosen, in the ledger's order, all of them visible to the actor (else 404)."""
    ids = set(hazard_ids)
    if not ids:
        raise HazardError(_("Choose at least one hazard."))
    if len(ids) > BULK_MAX:
        raise HazardError(_("Choose at most %(max)d hazards at a time.") % {"max": BULK_MAX})
    hazards = list(
        Hazard.objects.visible_to(actor).select_related("unit").filter(pk__in=ids).order_by("-found_on", "-id")
    )
    if len(hazards) != len(ids):
        raise HazardNotFound
    return hazards


def _one_by_one(hazards: list[Hazard], act) -> list[Hazard]:
    """Act on each hazard in its own savepoint, collecting refusals; any refusal undoes the whole batch."""
    refusals, done = [], []
    for hazard in hazards:
        try:
            with transaction.atomic():
                done.append(act(hazard))
        except HazardError as error:
            refusals.append(Refusal(hazard.number, str(error)))
    if refusals:
        raise BulkRefused(refusals)
    return done


@transaction.atomic
def assign_several(*, actor: User, hazard_ids: list[int], deadline: date | None, measures: str = "") -> list[Hazard]:
    """Assign findings of one unit to that unit with one deadline (交办), all or none."""
    hazards = _chosen(actor, hazard_ids)
    units = {hazard.unit_id for hazard in hazards}
    if None in units or len(units) != 1:
        raise HazardError(
            _("Assign several findings at once only when all were found at the same unit, which then rectifies them.")
        )
    return _one_by_one(
        hazards,
        lambda hazard: workflow.assign(
            actor=actor,
            hazard_id=hazard.pk,
            deadline=deadline,
            rectifying_unit=hazard.unit,
            measures=measures,
            version=hazard.version,
        ),
    )


@transaction.atomic
def close_several(*, actor: User, hazard_ids: list[int], note: str = "") -> list[Hazard]:
    """Close the accounts (销号) of several accepted hazards, all or none."""
    return _one_by_one(
        _chosen(actor, hazard_ids),
        lambda hazard: workflow.close(actor=actor, hazard_id=hazard.pk, note=note, version=hazard.version),
    )


def summary(action: str, done: list[Hazard]) -> str:
    """What a bulk action did, for the message on the ledger."""
    numbers = "、".join(hazard.number for hazard in done)
    if action == "assign":
        return ngettext(
            "Assigned %(count)d hazard: %(numbers)s.", "Assigned %(count)d hazards: %(numbers)s.", len(done)
        ) % {"count": len(done), "numbers": numbers}
    return ngettext(
        "Closed %(count)d ledger entry: %(numbers)s.", "Closed %(count)d ledger entries: %(numbers)s.", len(done)
    ) % {"count": len(done), "numbers": numbers}
