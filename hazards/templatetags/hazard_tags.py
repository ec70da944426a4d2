from django import template
from django.utils.html import format_html

from hazards.models import Hazard
from hazards.responsibility import LAYERS
from hazards.states import STATE_CLASSES
from hazards.transitions import TRANSITIONS

register = template.Library()


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
def action_label(action: str) -> str:
    """A button's label, from the transition table."""
    return str(TRANSITIONS[action].label) if action in TRANSITIONS else action


@register.filter
def action_style(action: str) -> str:
    """A button's Bootstrap style, from the transition table."""
    return TRANSITIONS[action].style if action in TRANSITIONS else "primary"


@register.filter
def layer_label(layer: str) -> str:

    return str(LAYERS.get(layer, layer))
