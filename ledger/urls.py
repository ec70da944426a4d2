"""The Excel ledger's pages, under /hazards/ beside the list they export (included before hazards.urls)."""

from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("export.xlsx", views.ledger_export, name="export"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("import/", views.ledger_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<str:token>/errors.xlsx", views.import_errors, name="import_errors"),
]
