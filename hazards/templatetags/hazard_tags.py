from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

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


ACTION_LABELS = {
    "assign": gettext_lazy("Assign"),
    "start": gettext_lazy("Start rectification"),
    "submit": gettext_lazy("Submit for acceptance"),
    "reject": gettext_lazy("Reject the rectification"),
    "verify": gettext_lazy("Accept the rectification"),
    "close": gettext_lazy("Close the account (销号)"),
    "void": pgettext_lazy("action", "Void"),
    "list": gettext_lazy("List for supervision"),
    "request_extension": gettext_lazy("Ask for an extension"),
    "decide_extension": gettext_lazy("Decide the extension"),
}
ACTION_STYLES = {"reject": "outline-danger", "void": "outline-secondary", "close": "success", "verify": "success"}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def action_style(action: str) -> str:
    return ACTION_STYLES.get(action, "primary")


@register.filter
def layer_label(layer: str) -> str:
    from hazards.responsibility import LAYERS

    return str(LAYERS.get(layer, layer))
