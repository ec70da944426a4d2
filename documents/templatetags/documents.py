"""The documents card on a hazard's page (hazards' template loads this higher app's tags by name)."""

from django import template

from documents.models import DocumentKind
from documents.services import documents_about, kinds_to_issue

register = template.Library()


@register.inclusion_tag("documents/includes/hazard_documents.html", takes_context=True)
def hazard_documents(context, hazard):
    user = context["request"].user
    # The hazard's page has passed the visibility rule (its view 404s otherwise).
    return {
        "hazard": hazard,
        "documents": documents_about(hazard),
        "kinds": [(kind, DocumentKind(kind).label) for kind in kinds_to_issue(hazard, user)],
        "csrf_token": context.get("csrf_token"),
    }
