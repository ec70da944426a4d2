from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# (label, URL name, roles that see it; None for everyone signed in). Later features add lines here.
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Administration"), "admin:index", {Role.ADMINISTRATOR}),
]


def navigation(request):
    """The header's links for the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for label, url_name, roles in NAVIGATION:
        if roles is None or any(user.has_role(role) for role in roles):
            url = reverse(url_name)
            items.append({"label": label, "url": url, "active": request.path == url})
    return {"navigation": items}
