"""The reminder of an extension decision (延期审批) that is overdue: its due date is counted in working
days from the request (hazards.workflow.request_extension, settings.EXTENSION_DECISION_WORKING_DAYS).

Once per request, the day after the decision was due, the head who assigned the hazard is told in
the app (and by the channels they chose). A conditional update claims each request, so a rerun or
a second beat tells nobody twice.
"""

from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from hazards.models import ExtensionRequest, HazardEvent
from notifications.services import notify


def remind_extension_decisions(*, today: date | None = None) -> int:
    """Tell the assigning heads about pending extension requests past their decision date; return how many were told."""
    today = today or timezone.localdate()
    overdue = ExtensionRequest.objects.filter(
        decision=ExtensionRequest.Decision.PENDING, decision_due__lt=today, decision_reminded_on__isnull=True
    ).select_related("hazard", "requested_by")
    told = 0
    for request in overdue:
        claimed = ExtensionRequest.objects.filter(pk=request.pk, decision_reminded_on__isnull=True).update(
            decision_reminded_on=today
        )
        if not claimed:
            continue
        assigner = (
            HazardEvent.objects.filter(hazard=request.hazard, action=HazardEvent.Action.ASSIGN)
            .order_by("-at")
            .values_list("actor_id", flat=True)
            .first()
        )
        assert request.decision_due is not None  # filtered on it
        # The note is stored as text: written in the product's language, like the reasons people type.
        with translation.override(settings.LANGUAGE_CODE):
            note = gettext("the decision was due on %(date)s") % {"date": request.decision_due.isoformat()}
        told += notify(
            recipients=[assigner],
            actor=request.requested_by,
            hazard=request.hazard,
            action=HazardEvent.Action.REQUEST_EXTENSION,
            note=note,
        )
    return told
