from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from hazards.models import Hazard, HazardState

register = template.Library()

STATE_CLASSES = {
    HazardState.REPORTED: "text-bg-secondary",
    HazardState.ASSIGNED: "text-bg-info",
    HazardState.RECTIFYING: "text-bg-primary",
    HazardState.SUBMITTED: "text-bg-warning",
    HazardState.VERIFIED: "text-bg-success",
    HazardState.CLOSED: "text-bg-dark",
    HazardState.VOID: "text-bg-light border",
}


@register.simple_tag
def state_badge(hazard: Hazard):
    return format_html(
        '<span class="badge {}" data-state="{}">{}</span>',
        STATE_CLASSES.get(hazard.state, "text-bg-secondary"),
        hazard.state,
        hazard.get_state_display(),
    )


@register.simple_tag
def level_badge(hazard: Hazard):
    if hazard.level == Hazard.Level.MAJOR:
        return format_html('<span class="badge text-bg-danger">{}</span>', hazard.get_level_display())
    return format_html('<span class="badge text-bg-light border">{}</span>', hazard.get_level_display())


@register.filter
def field_label(field_name: str) -> str:
    """The label of a hazard field named in an edit event."""
    if field_name == "attachments":
        return str(_("Photos and documents"))
    try:
        return str(Hazard._meta.get_field(field_name).verbose_name)
    except Exception:  # noqa: BLE001 - older events may name a field that no longer exists
        return field_name
