from django import template
from django.utils.html import format_html, format_html_join

from hazards.models import Attachment, Hazard
from hazards.photo_facts import position_text, taken_text, uploader_text
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


@register.filter
def kept_files(form, field: str) -> list:
    """The uploads a form keeps for one of its file fields across a correction."""
    return form.kept.get(field, [])


@register.simple_tag
def photo_facts(attachment: Attachment):
    """When a photo was taken (EXIF, else its upload), where (when the phone gave it) and by whom."""
    # The same words as the band stamped on the printed photo (hazards.photo_facts).
    facts = [fact for fact in (taken_text(attachment), uploader_text(attachment), position_text(attachment)) if fact]
    return format_html_join(" · ", "<span>{}</span>", ((fact,) for fact in facts))
