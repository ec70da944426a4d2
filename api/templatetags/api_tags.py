"""The API tokens section of the profile page (the page belongs to notifications; the tokens to the API)."""

from django import template

from api.forms import TokenForm
from api.models import ApiToken

register = template.Library()


@register.inclusion_tag("api/includes/tokens.html", takes_context=True)
def api_tokens(context):
    request = context["request"]
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")[:50]
    return {"tokens": tokens, "form": TokenForm(), "request": request, "csrf_token": context.get("csrf_token")}
