from django.urls import path

from api import web_views

app_name = "api_tokens"

urlpatterns = [
    path("new/", web_views.token_create, name="create"),
    path("<int:pk>/revoke/", web_views.token_revoke, name="revoke"),
]
