from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("me/", views.Me.as_view(), name="me"),
    path("me/notifications/", views.MyNotifications.as_view(), name="my-notifications"),
    path("me/work/", views.MyWork.as_view(), name="my-work"),
    path("hazards/", views.HazardList.as_view(), name="hazard-list"),
    path("hazards/<int:pk>/", views.HazardDetail.as_view(), name="hazard-detail"),
    path("hazards/<int:pk>/actions/<slug:action>/", views.HazardAction.as_view(), name="hazard-action"),
    path("hazards/<int:pk>/events/", views.HazardEvents.as_view(), name="hazard-events"),
    path("hazards/<int:pk>/attachments/", views.HazardAttachments.as_view(), name="hazard-attachments"),
    path("attachments/", views.AttachmentUpload.as_view(), name="attachment-upload"),
    path("attachments/<int:pk>/file/", views.AttachmentFile.as_view(), name="attachment-file"),
    path("inspections/", views.InspectionList.as_view(), name="inspection-list"),
    path("inspections/<int:pk>/", views.InspectionDetail.as_view(), name="inspection-detail"),
    path("campaigns/", views.CampaignList.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", views.CampaignDetail.as_view(), name="campaign-detail"),
    path("regions/", views.RegionList.as_view(), name="region-list"),
    path("industries/", views.IndustryList.as_view(), name="industry-list"),
    path("organizations/", views.OrganizationList.as_view(), name="organization-list"),
    path("exports/", views.ExportStart.as_view(), name="export-start"),
    path("exports/<int:pk>/", views.ExportDetail.as_view(), name="export-detail"),
    path("exports/<int:pk>/file/", views.ExportFile.as_view(), name="export-file"),
    # Anything else under /api/v1/ (an unknown path, an id that is not a number): a problem document, not a page.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
