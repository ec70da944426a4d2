"""The Celery application: settings come from Django's (CELERY_*), tasks from each app's tasks.py."""

import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hunan_safety.settings")

app = Celery("hunan_safety")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_FILESYSTEM_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@celeryd_init.connect
def make_broker_folders(**kwargs: Any) -> None:
    """kombu's filesystem transport reads from folders it does not create: make them as the worker starts."""
    if not app.conf.broker_url.startswith("filesystem://"):
        return
    options = app.conf.broker_transport_options or {}
    for key in _FILESYSTEM_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
