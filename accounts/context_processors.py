import functools

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

REPORTERS = {Role.INSPECTOR, Role.DEPARTMENT_HEAD}
DUTY_ROOM = {Role.INSPECTOR, Role.DEPARTMENT_HEAD, Role.DUTY_OFFICER, Role.PROVINCIAL_STAFF}

# (label, URL name, roles that see it; None for everyone signed in). Later features add lines here.
NAVIGATION = [
    (_("Home"), "home", None),
    (_("My work"), "work_queue", None),
    (_("Hazard ledger"), "hazards:list", None),
    (_("Statistics"), "stats:table", None),
    (_("Record an inspection"), "inspections:new", REPORTERS),
    (_("Inspections"), "inspections:inspection_list", None),
    (_("Campaigns"), "inspections:campaign_list", None),
    (_("Register of units"), "units:list", None),
    (_("Reconciliation"), "reconciliation:list", None),
    (_("Report a self-found hazard"), "hazards:self_check", {Role.RECTIFYING_UNIT}),
    # "Who is on duty now" one click from every page of a government user.
    (_("Duty and emergencies"), "emergency:duty", DUTY_ROOM),
    (_("Administration"), "admin:index", {Role.ADMINISTRATOR}),
]


@functools.cache
def _url_of(url_name: str, urlconf: str | None, script_prefix: str) -> str:
    return reverse(url_name, urlconf=urlconf)


def _reversed(url_name: str) -> str:
    """A link of the header: the same on every page of a process, so reversed once (12 per page)."""
    return _url_of(url_name, get_urlconf(), get_script_prefix())


def navigation(request):
    """The header's links for the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for label, url_name, roles in NAVIGATION:
        if roles is None or any(user.has_role(role) for role in roles):
            url = _reversed(url_name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    # The most specific match wins: /inspections/new/ is not also "Inspections".
    matches = [item for item in items if item["active"]]
    if matches:
        most_specific = max(matches, key=lambda item: len(item["url"]))
        for item in matches:
            item["active"] = item is most_specific
    return {"navigation": items}
