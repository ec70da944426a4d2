import pytest


@pytest.fixture(autouse=True)
def _calendar_days(settings):
    # These tests describe the ladder's rungs in calendar days, as DESIGN.md states them; the
    # working-day ladder, the default, has its own tests (test_ladder_working_days.py).
    settings.REMINDER_DAY_COUNT = "calendar"
