"""Template tags of the duty pages, and the duty panel other pages (the command-centre screen) include."""

from django import template

from emergency import alerts, duty
from emergency.models import QuickReport
from emergency.reports import reports_visible_to
from emergency.visibility import duty_region, is_duty_user

register = template.Library()


@register.filter
def alert_headline(alert) -> str:
    return alerts.headline(alert)


@register.filter
def alert_link(alert) -> str:
    return alerts.link(alert)


@register.inclusion_tag("emergency/includes/duty_panel.html", takes_context=True)
def duty_panel(context, limit: int = 5):
    """Who is on duty now in the user's region, and the latest open information reports they may see."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_duty_user(user):
        return {"visible": False}
    region = duty_region(user)
    open_reports = (
        reports_visible_to(user)
        .filter(stage=QuickReport.Stage.FIRST, closed_at__isnull=True)
        .select_related("region")
        .order_by("-reported_at")[:limit]
    )
    return {
        "visible": True,
        "region": region,
        "on_duty": duty.on_duty(region) if region is not None else [],
        "open_reports": open_reports,
    }
