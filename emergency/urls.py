from django.urls import path

from emergency import views

app_name = "emergency"

urlpatterns = [
    path("duty/", views.duty_page, name="duty"),
    path("duty/shifts/new/", views.shift_new, name="shift_new"),
    path("duty/shifts/<int:pk>/", views.shift_detail, name="shift"),
    path("duty/import/", views.roster_upload, name="roster_import"),
    path("alerts/read/", views.alerts_read, name="alerts_read"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("drills/<int:pk>/finding/", views.drill_finding, name="drill_finding"),
    path("forces/", views.forces, name="forces"),
    path("reserves/", views.reserves, name="reserves"),
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/follow-up/", views.report_follow_up, name="report_follow_up"),
    path("reports/<int:pk>/link/", views.report_link, name="report_link"),
]
