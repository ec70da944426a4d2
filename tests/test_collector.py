"""A web process keeps its long-lived objects out of full garbage collections (hunan_safety/collector.py)."""

import gc

import pytest
from django.core.signals import request_finished

from hunan_safety import collector

pytestmark = pytest.mark.django_db


def test_a_web_process_freezes_what_lives_on_once_its_first_request_is_served(client, monkeypatch):
    monkeypatch.setattr(collector, "_frozen", False)
    gc.unfreeze()
    collector.freeze_after_first_request()
    try:
        assert gc.get_freeze_count() == 0
        assert client.get("/healthz").status_code == 200
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the modules, URL patterns and templates of a Django process
        client.get("/healthz")
        client.get("/healthz")
        # Once: what later requests leave behind is collected as usual, never frozen.
        assert gc.get_freeze_count() <= frozen
        assert len(gc.get_objects()) < frozen
    finally:
        request_finished.disconnect(dispatch_uid="hunan_safety.collector")
        gc.unfreeze()
