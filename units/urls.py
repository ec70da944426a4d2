"""/units/: the register of units (namespace "units")."""

from django.urls import path

from units import views

app_name = "units"

urlpatterns = [
    path("", views.unit_list, name="list"),
    path("import/", views.unit_import, name="import"),
    path("<int:pk>/", views.unit_detail, name="detail"),
]
