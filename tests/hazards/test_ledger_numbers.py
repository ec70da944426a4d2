"""Ledger numbers: HN-<county>-<year>-<6 digits>, one sequence per county and year, never issued twice."""

import re
import threading
from datetime import date

import pytest
from django.db import connection

from accounts.roles import Role
from hazards.models import Hazard
from tests.factories import HazardFactory, UserFactory, industry, region
from tests.hazards.workflow_helpers import report

NUMBER = re.compile(r"^HN-(\d{6})-(\d{4})-(\d{6})$")


@pytest.mark.django_db
def test_a_number_names_the_county_the_year_and_a_six_digit_serial():
    hazard = HazardFactory(region=region("430181"), found_on=date(2026, 3, 1))
    assert hazard.number == "HN-430181-2026-000001"
    assert NUMBER.match(hazard.number).groups() == ("430181", "2026", "000001")


@pytest.mark.django_db
def test_numbers_increase_within_a_county_and_year():
    numbers = [HazardFactory(region=region("430181"), found_on=date(2026, month, 1)).number for month in (1, 5, 2)]
    assert numbers == ["HN-430181-2026-000001", "HN-430181-2026-000002", "HN-430181-2026-000003"]


@pytest.mark.django_db
def test_each_county_and_each_year_has_its_own_sequence():
    first = HazardFactory(region=region("430181"), found_on=date(2026, 3, 1))
    other_county = HazardFactory(region=region("430102"), found_on=date(2026, 3, 1))
    second = HazardFactory(region=region("430181"), found_on=date(2026, 3, 2))
    last_year = HazardFactory(region=region("430181"), found_on=date(2025, 12, 31))
    next_in_other_county = HazardFactory(region=region("430102"), found_on=date(2026, 4, 1))

    assert first.number == "HN-430181-2026-000001"
    assert other_county.number == "HN-430102-2026-000001"
    assert second.number == "HN-430181-2026-000002"
    # The year of the number is the year the hazard was found, not the year it was recorded.
    assert last_year.number == "HN-430181-2025-000001"
    assert next_in_other_county.number == "HN-430102-2026-000002"


@pytest.mark.django_db
def test_saving_a_hazard_again_keeps_its_number():
    hazard = HazardFactory(region=region("430181"), found_on=date(2026, 3, 1))
    hazard.title = "改过的标题"
    hazard.region = region("430102")
    hazard.save()
    hazard.refresh_from_db()
    assert hazard.number == "HN-430181-2026-000001"
    assert HazardFactory(region=region("430181"), found_on=date(2026, 3, 1)).number == "HN-430181-2026-000002"


@pytest.mark.django_db
def test_the_number_can_be_looked_up_from_the_ledger(client, province):
    hazard = HazardFactory(region=region("430181"), found_on=date(2026, 3, 1))
    client.force_login(province)
    response = client.get(f"/hazards/by-number/{hazard.number}/")
    assert response["Location"] == f"/hazards/{hazard.pk}/"


# Many inspectors saving at once (PostgreSQL: SQLite serialises every writer anyway).

THREADS = 8
PER_THREAD = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_findings_never_share_a_number(reference_data):
    finder = UserFactory(roles=[Role.INSPECTOR])
    liuyang, fireworks = region("430181"), industry("fireworks-production")
    start = threading.Barrier(THREADS)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def record_findings(thread: int) -> None:
        try:
            start.wait(timeout=30)
            for serial in range(PER_THREAD):
                # Through the service that numbers a finding, as every page and import does.
                hazard = report(
                    finder,
                    title=f"并发隐患 {thread}-{serial}",
                    description="同时保存",
                    industry=fireworks,
                    region=liuyang,
                    site_name="某烟花厂",
                    found_on=date(2026, 3, 1),
                )
                with lock:
                    numbers.append(hazard.number)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record_findings, args=(thread,)) for thread in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(numbers) == len(set(numbers)) == THREADS * PER_THREAD
    assert sorted(numbers) == [f"HN-430181-2026-{serial:06d}" for serial in range(1, THREADS * PER_THREAD + 1)]
    assert Hazard.objects.count() == THREADS * PER_THREAD
