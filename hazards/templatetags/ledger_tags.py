from django import template

from hazards.exports import ready_exports

register = template.Library()


@register.simple_tag(takes_context=True)
def ready_ledger_exports(context):
    """The signed-in user's background exports ready to download: their in-app notice."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(ready_exports(request.user)[:3])
