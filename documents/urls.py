from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("issue/<int:hazard_pk>/<slug:kind>/", views.issue, name="issue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
]
