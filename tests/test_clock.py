"""The tests' frozen clock: one fixed day, mid-morning in Asia/Shanghai, in every thread."""

import threading
from datetime import date

import pytest
from django.utils import timezone

from tests.conftest import FROZEN_NOW


@pytest.mark.usefixtures("frozen_today")
def test_today_is_the_frozen_day_here_and_in_another_thread():
    seen = []
    worker = threading.Thread(target=lambda: seen.append(timezone.localdate()))
    worker.start()
    worker.join()
    assert timezone.localdate() == date(2026, 6, 15) == FROZEN_NOW.date()
    assert seen == [date(2026, 6, 15)]
    # Far from midnight in Shanghai (16:00 UTC), where a real run could straddle two dates.
    assert 9 <= timezone.localtime().hour <= 11
