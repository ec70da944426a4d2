from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from hazards.models import Attachment, Hazard
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
    taken = attachment.taken_at or attachment.uploaded_at
    facts = [timezone.localtime(taken).strftime("%Y-%m-%d %H:%M")] if taken else []
    facts.append(attachment.uploaded_by.get_full_name() or attachment.uploaded_by.username)
    if attachment.latitude is not None and attachment.longitude is not None:
        facts.append(_("GPS %(lat).5f, %(lon).5f") % {"lat": attachment.latitude, "lon": attachment.longitude})
    return format_html_join(" · ", "<span>{}</span>", ((fact,) for fact in facts))
