from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from django.views.i18n import set_language

from hazards import views as hazard_views
from hunan_safety import views
from notifications import views as notification_views
from stats import views as stats_views
from units import views as unit_views

handler404 = "hunan_safety.views.page_not_found"

urlpatterns = [
    # Heads, government users and provincial staff start on the dashboard; others on their own page.
    path("", stats_views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    # A person's reminder channels: notifications' page at the address every e-mail links to; wired
    # here because accounts, the layer below notifications, must not import it.
    path("accounts/profile/", notification_views.profile, name="profile"),
    path("accounts/api-tokens/", include("api.web_urls")),
    path("accounts/", include("accounts.urls")),
    path("tasks/", hazard_views.work_queue, name="work_queue"),
    # The Excel ledger's pages live under /hazards/ beside the list they export (ledger/urls.py).
    path("hazards/", include("ledger.urls")),
    path("hazards/", include("hazards.urls")),
    # A campaign's coverage of the register lives with the register (units), at the campaign's address.
    path("inspections/campaigns/<int:pk>/coverage/", unit_views.campaign_coverage, name="campaign_coverage"),
    path("inspections/", include("hazards.inspection_urls")),
    path("units/", include("units.urls")),
    path("reconciliations/", include("reconciliation.urls")),
    path("notifications/", include("notifications.urls")),
    path("emergency/", include("emergency.urls")),
    path("api/v1/", include("api.urls")),
    path("statistics/", include("stats.urls")),
    path("rules/", include("rules.urls")),
    path("documents/", include("documents.urls")),
    # The language switcher also works on the login page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # One sign-in page in the product's look, for the admin too.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(url=reverse_lazy("login"), query_string=True)),
    ),
    path("admin/", admin.site.urls),
]
