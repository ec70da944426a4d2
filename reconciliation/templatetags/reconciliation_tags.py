"""The reconciliation section of the work queue (/tasks/), rendered by this app: hazards does not import it.

The work queue page loads this library by name (`{% load reconciliation_tags %}`), so a department
head sees the disputed reconciliations waiting on them beside their hazards, without hazards
depending on reconciliation in Python.
"""

from django import template

from accounts.models import User
from reconciliation import selectors

register = template.Library()

DISPUTES_SHOWN = 20


@register.inclusion_tag("reconciliation/includes/disputes_queue.html")
def disputes_queue(user: User) -> dict:
    """The reconciliations signed with disputed items that this user must resolve, oldest first (two queries)."""
    disputes = selectors.disputes_to_review(user)
    rows = list(disputes[:DISPUTES_SHOWN])
    count = len(rows) if len(rows) < DISPUTES_SHOWN else disputes.count()
    return {"rows": rows, "count": count, "shown": selectors.reviews_reconciliations(user)}
