from django.urls import path

from hazards import ledger_views, views

app_name = "hazards"

urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("new/", views.hazard_new, name="new"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/edit/", views.hazard_edit, name="edit"),
    path("<int:pk>/act/<slug:action>/", views.hazard_act, name="act"),
    path("by-number/<str:number>/", views.hazard_by_number, name="by_number"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("attachments/<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"),
    path("units/", views.unit_search, name="unit_search"),
    # Excel ledgers (hazards/ledger_views.py).
    path("export.xlsx", ledger_views.ledger_export, name="export"),
    path("exports/", ledger_views.export_list, name="exports"),
    path("exports/<int:pk>/", ledger_views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", ledger_views.export_download, name="export_download"),
    path("import/", ledger_views.ledger_import, name="import"),
    path("import/template.xlsx", ledger_views.import_template, name="import_template"),
    path("import/<str:token>/errors.xlsx", ledger_views.import_errors, name="import_errors"),
]
