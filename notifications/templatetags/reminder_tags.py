"""The reminders section of a hazard's page, rendered by this app: hazards does not import notifications.

The hazard page loads this library by name (`{% load reminder_tags %}`), so the ledger shows what
the ladder sent without depending on it in Python.
"""

from django import template

from hazards.models import Hazard
from notifications import reminders

register = template.Library()


@register.inclusion_tag("notifications/includes/reminders_sent.html")
def reminders_sent(hazard: Hazard) -> dict:
    """The hazard's reminders, newest rung first (two queries: the reminders, then their deliveries).

    The caller has already fetched `hazard` through the visibility rule.
    """
    return {"reminders": reminders.reminders_sent(hazard)}
