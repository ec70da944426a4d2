"""Every change of a hazard's state goes through this module (DESIGN.md section 4).

Each action checks, in this order: the user may see the hazard (else 404), the role and scope
allow it, the state allows it, the preconditions hold; then it applies the change under a row
lock, writes one HazardEvent in the same transaction, and sends notifications after commit.
Views, imports and tasks call these functions; nothing else writes `state`.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.roles import Role
from hazards.models import Attachment, Hazard, HazardEvent, HazardState


class HazardError(Exception):
    """A refused action, with a message the user can read."""


# Fields a finding's editor may change while it is reported; shown in the edit event.
EDITABLE_FIELDS = (
    "title",
    "description",
    "industry",
    "level",
    "kind",
    "legal_basis",
    "source",
    "campaign",
    "region",
    "unit",
    "site_name",
    "location",
    "found_on",
)


REPORTERS_ONLY = _lazy("Only inspectors and department heads record findings.")


def can_report(user) -> bool:
    return user.has_role(Role.INSPECTOR) or user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser


def can_edit_finding(hazard: Hazard, user) -> bool:
    """The finder or a head may edit a finding while it is reported; after that only actions change it."""
    if hazard.state != HazardState.REPORTED:
        return False
    return hazard.found_by_id == user.pk or user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser


@transaction.atomic
def report_finding(*, actor, hazard: Hazard, attachments=(), after_attachments=()) -> Hazard:
    """Put a new finding on the ledger: `reported`, or `submitted` when rectified on the spot (立查立改).

    A finding rectified on the spot needs at least one "after" photo or document as evidence; it
    still needs acceptance.
    """
    if not can_report(actor):
        raise HazardError(str(REPORTERS_ONLY))
    if hazard.pk is not None:
        raise HazardError(_("This finding is already on the ledger."))
    after_attachments = list(after_attachments)
    if hazard.on_the_spot and not after_attachments:
        raise HazardError(_("A finding rectified on the spot needs at least one photo or document of the result."))
    hazard.found_by = actor
    if hazard.on_the_spot:
        now = timezone.now()
        hazard.state = HazardState.SUBMITTED
        hazard.rectifying_unit = hazard.unit
        hazard.submitted_at = now
        hazard.started_at = now
    else:
        hazard.state = HazardState.REPORTED
    hazard.full_clean(exclude=["number"])
    hazard.save()
    claimed = [attachment.pk for attachment in [*attachments, *after_attachments]]
    Attachment.objects.filter(pk__in=claimed, hazard__isnull=True).update(hazard=hazard)
    HazardEvent.objects.create(
        hazard=hazard, actor=actor, action=HazardEvent.Action.REPORT, to_state=HazardState.REPORTED
    )
    if hazard.on_the_spot:
        HazardEvent.objects.create(
            hazard=hazard,
            actor=actor,
            action=HazardEvent.Action.SUBMIT,
            from_state=HazardState.REPORTED,
            to_state=HazardState.SUBMITTED,
            reason=_("Rectified on the spot."),
        )
    return hazard


def _display(hazard: Hazard, field: str) -> str:
    value = getattr(hazard, field)
    if value is None or value == "":
        return ""
    display = getattr(hazard, f"get_{field}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def edit_finding(*, actor, hazard_id: int, changes: dict, version: int, attachments=()) -> Hazard:
    """Change a reported finding's fields; the event records each field's old and new value.

    `version` is the version the user's form was made from: a stale form is refused rather than
    silently overwriting someone else's edit.
    """
    hazard = Hazard.objects.visible_to(actor).select_for_update().get(pk=hazard_id)
    if not can_edit_finding(hazard, actor):
        if hazard.state != HazardState.REPORTED:
            raise HazardError(
                _("Only a reported finding can be edited; it is now %(state)s.") % {"state": hazard.get_state_display()}
            )
        raise HazardError(_("Only the finder or a department head can edit this finding."))
    if hazard.version != version:
        raise HazardError(
            _("Someone else changed this finding while you were editing it. Reload the page and try again.")
        )
    before = {field: _display(hazard, field) for field in EDITABLE_FIELDS}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise HazardError(_("%(field)s cannot be edited here.") % {"field": field})
        setattr(hazard, field, value)
    hazard.full_clean(exclude=["number"])
    diff = {}
    for field in EDITABLE_FIELDS:
        after = _display(hazard, field)
        if after != before[field]:
            diff[field] = [before[field], after]
    added = list(attachments)
    if not diff and not added:
        return hazard
    hazard.version += 1
    hazard.save()
    if added:
        Attachment.objects.filter(pk__in=[a.pk for a in added], hazard__isnull=True).update(hazard=hazard)
        diff["attachments"] = ["", "、".join(a.original_name for a in added)]
    HazardEvent.objects.create(hazard=hazard, actor=actor, action=HazardEvent.Action.EDIT, changes=diff)
    return hazard
