"""A hazard's states, and the one definition of overdue.

Overdue is derived, not a state (DESIGN.md section 4): the deadline passed while the unit still has
the work (assigned or rectifying). Querysets, filters, work queues, the ledger export and the
reminders all ask here.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HazardState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSIGNED = "assigned", _("Assigned")
    RECTIFYING = "rectifying", _("Rectifying")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    VERIFIED = "verified", _("Accepted")
    CLOSED = "closed", _("Closed (ledger entry cancelled)")
    VOID = "void", _("Void")


# Each state's Bootstrap badge, for its badge on any page.
STATE_CLASSES: dict[str, str] = {
    HazardState.REPORTED: "text-bg-secondary",
    HazardState.ASSIGNED: "text-bg-info",
    HazardState.RECTIFYING: "text-bg-primary",
    HazardState.SUBMITTED: "text-bg-warning",
    HazardState.VERIFIED: "text-bg-success",
    HazardState.CLOSED: "text-bg-dark",
    HazardState.VOID: "text-bg-light border",
}

# The states in which the rectifying unit has the work, and so a deadline can pass.
OPEN_WORK_STATES = (HazardState.ASSIGNED, HazardState.RECTIFYING)


def overdue_q(today: date, prefix: str = "") -> Q:
    """The hazards overdue on `today`, as a filter (`prefix` reaches them through a relation, e.g. "hazard__")."""
    return Q(**{f"{prefix}state__in": OPEN_WORK_STATES, f"{prefix}deadline__lt": today})


def days_overdue(state: str, deadline: date | None, today: date) -> int:
    """How many days past its deadline a hazard in `state` is on `today` (0 when it is not overdue)."""
    if state not in OPEN_WORK_STATES or deadline is None:
        return 0
    return max((today - deadline).days, 0)
