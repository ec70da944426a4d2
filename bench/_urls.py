"""The project's URLs plus the admin baseline (bench/_admin.py), for bench/pages.py only."""

from django.urls import path

from bench._admin import site
from hunan_safety.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench-admin/", site.urls), *project_urlpatterns]
