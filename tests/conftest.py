"""Shared fixtures and the rule that CI never passes by skipping.

Tests that need PostgreSQL, Redis or Chromium carry a marker and skip, saying why, on a newcomer's
machine (SQLite, filesystem broker, no browser). With REQUIRE_SERVICES=1 (set by .ci/run) any
skip is turned into a failure.
"""

import importlib
import os
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
CHROMIUM = "/usr/bin/chromium"

# The day of the tests that depend on today's date: mid-morning in Asia/Shanghai, far from midnight
# (16:00 UTC), so that a run never straddles a change of date, and far from any month's or year's end.
FROZEN_NOW = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("redis") and not settings.CELERY_BROKER_URL.startswith("redis"):
            item.add_marker(pytest.mark.skip(reason="needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0"))
        if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
            item.add_marker(
                pytest.mark.skip(
                    reason="needs Chromium: apt-get install chromium fonts-noto-cjk (or run .ci/run, which does)"
                )
            )


@pytest.fixture(autouse=True)
def _require_postgres(request):
    # Checked at run time: the vendor is known only once the test database is set up.
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/hunan_safety")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_SERVICES=1 forbids skipping: {reason}"


@pytest.fixture
def frozen_today():
    """Today is FROZEN_NOW's date for the whole test, in this process (the live server's thread too).

    The clock still ticks from 10:00, so that durations, leases and back-offs behave; modules whose
    tests depend on today's date use it with `pytestmark = pytest.mark.usefixtures("frozen_today")`.
    """
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def reference_data(transactional_db):
    """Regions, industries and role groups, loaded again where a transactional test's flush removed them.

    Migrations load them once into the test database; a test that really commits (the live server,
    concurrency) ends with a flush that empties every table, so the next one loads them here.
    """
    from accounts.models import Industry, Region
    from accounts.roles import sync_role_groups

    # The loaders the migrations run: Hunan's regions, and the industry taxonomy (into its model of today).
    if not Region.objects.exists():
        importlib.import_module("accounts.migrations.0002_load_hunan_regions").load_regions(apps, None)
    if not Industry.objects.exists():
        importlib.import_module("hazards.migrations.0002_load_industry_taxonomy").load_industries(Industry)
    # The flush re-runs post_migrate, which makes the role groups again; make sure of it.
    sync_role_groups()


@pytest.fixture(autouse=True, scope="session")
def _children_share_the_secret_key():
    # Processes the tests start (a worker, manage.py) may get a VAR_DIR of their own, without var/secret_key.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SECRET_KEY", settings.SECRET_KEY)
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # Each test starts in the product's language: a request leaves its language active in the
    # thread (the middleware activates, nothing deactivates), which would make tests depend on order.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached reference data (the ledger's filter choices) must not outlive a test's database.
    from django.core.cache import cache

    cache.clear()


def persona(name):
    from tests.factories import persona as make_persona

    return make_persona(name)


@pytest.fixture
def inspector(db):
    return persona("inspector")


@pytest.fixture
def head(db):
    return persona("head")


@pytest.fixture
def rectifier(db):
    return persona("rectifier")


@pytest.fixture
def province(db):
    return persona("province")


@pytest.fixture
def administrator(db):
    return persona("admin")
