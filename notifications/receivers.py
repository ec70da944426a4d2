"""Listeners to the ledger's signals: the workflow decides who is concerned, this app tells them."""

from collections.abc import Iterable
from typing import Any

from accounts.models import User
from hazards.models import Hazard
from notifications import delivery
from notifications.models import Notification
from notifications.services import notify


def notify_concerned(
    sender: Any,
    *,
    hazard: Hazard | None,
    actor: User | None,
    action: str,
    recipients: Iterable[User | int | None],
    note: str = "",
    **kwargs: Any,
) -> None:
    """Write the in-app notifications of a workflow action (connected to `hazards.signals.hazard_changed`).

    News (a major hazard reported) also goes out by e-mail and chat robot, through the outbox.
    """
    recipients = list(recipients)
    notify(recipients=recipients, actor=actor, hazard=hazard, action=action, note=note)
    if hazard is not None and delivery.is_news(hazard, action):
        told = Notification.objects.filter(
            hazard=hazard,
            action=action,
            recipient_id__in=[r.pk if isinstance(r, User) else int(r) for r in recipients if r is not None],
        ).values_list("pk", flat=True)
        delivery.plan_news(told, topic=f"news:{hazard.pk}:{action}")
