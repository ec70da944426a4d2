import pytest

from tests.notifications.reminder_helpers import assigned_hazard, build_scene


@pytest.fixture(autouse=True)
def _calendar_days(settings):
    # These tests describe the ladder's rungs in calendar days, as DESIGN.md states them; the
    # working-day ladder, the default, has its own tests (test_ladder_working_days.py).
    settings.REMINDER_DAY_COUNT = "calendar"


@pytest.fixture
def scene(inspector, head, rectifier):
    """reminder_helpers.py's people of a hazard's ladder (build_scene)."""
    return build_scene(inspector=inspector, head=head, rectifier=rectifier)


@pytest.fixture
def hazard(scene):
    """A hazard the head assigned to the scene's unit, due in ten days (assigned_hazard)."""
    return assigned_hazard(scene)
