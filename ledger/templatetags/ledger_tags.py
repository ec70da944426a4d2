"""The ledger's part of the hazard list page: its Excel buttons and the notice of exports ready.

The list (hazards) loads this library by name, so that the list shows the ledger's actions without
hazards importing the ledger.
"""

from django import template

from ledger.jobs import ready_exports

register = template.Library()


def _ready_exports(context) -> list:
    """The signed-in user's background exports ready to download: their in-app notice."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(ready_exports(request.user)[:3])


@register.inclusion_tag("ledger/includes/ledger_actions.html", takes_context=True)
def ledger_actions(context):
    """Export the filtered list, import a ledger (for those who may record findings), and exports ready."""
    return {
        "request": context.get("request"),
        "can_report": context.get("can_report", False),
        "ready": _ready_exports(context),
    }
