from django.urls import path

from hazards import views

app_name = "hazards"

urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("count/", views.hazard_count, name="count"),
    path("bulk/<slug:action>/", views.hazard_bulk, name="bulk"),
    path("views/", views.view_list, name="views"),
    path("views/save/", views.view_save, name="view_save"),
    path("views/<int:pk>/forget/", views.view_forget, name="view_forget"),
    path("new/", views.hazard_new, name="new"),
    path("self-check/", views.hazard_self_check, name="self_check"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/edit/", views.hazard_edit, name="edit"),
    path("<int:pk>/print/", views.hazard_print, name="print"),
    path("<int:pk>/act/<slug:action>/", views.hazard_act, name="act"),
    path("by-number/<str:number>/", views.hazard_by_number, name="by_number"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("attachments/<int:pk>/facts.jpg", views.attachment_stamped, name="attachment_stamped"),
    path("attachments/<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"),
    path("units/", views.unit_search, name="unit_search"),
]
