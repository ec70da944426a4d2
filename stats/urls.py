from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("", views.table, name="table"),
    path("export.xlsx", views.table_export, name="export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("screen/", views.screen, name="screen"),
]
