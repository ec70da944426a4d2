"""Listeners to the ledger's signals: the workflow decides who is concerned, this app tells them."""

from notifications.services import notify


def notify_concerned(sender, *, hazard, actor, action: str, recipients, note: str = "", **kwargs) -> None:
    """Write the in-app notifications of a workflow action (connected to `hazards.signals.hazard_changed`)."""
    notify(recipients=recipients, actor=actor, hazard=hazard, action=action, note=note)
