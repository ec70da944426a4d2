"""/reconciliations/: 对账销号 (namespace "reconciliation")."""

from django.urls import path

from reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.status_list, name="list"),
    path("<int:unit_pk>/<str:period>/", views.detail, name="detail"),
    path("<int:unit_pk>/<str:period>/print/", views.print_sheet, name="print"),
    path("<int:unit_pk>/<str:period>/<slug:action>/", views.act, name="act"),
]
