"""Listeners to the ledger's signals: the workflow decides who is concerned, this app tells them."""

from collections.abc import Iterable
from typing import Any

from accounts.models import User
from hazards.models import Hazard
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
    """Write the in-app notifications of a workflow action (connected to `hazards.signals.hazard_changed`)."""
    notify(recipients=recipients, actor=actor, hazard=hazard, action=action, note=note)
