"""The work queue (/tasks/): what waits on each person, by role, inside their scope, overdue first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from hazards import workflow
from hazards.models import Hazard
from tests.factories import OrganizationFactory, UserFactory, industry, region
from tests.hazards.workflow_helpers import (
    ask_extension,
    dual_head,
    in_days,
    move_to,
    other_rectifier,
    png_attachment,
    queue_count,
    queue_hazard_ids,
    report,
    start,
)

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

HEAD_QUEUES = ["to_assign", "extensions", "to_accept", "to_close"]
UNIT_QUEUES = ["to_start", "to_submit", "waiting"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def hazard_in(state: str, *, inspector, head, rectifier, deadline=None, **fields) -> Hazard:
    hazard = report(inspector, unit=rectifier.organization, **fields)
    return move_to(hazard, state, head=head, rectifier=rectifier, deadline=deadline)


def make_overdue(hazard: Hazard, days: int = 3) -> None:
    """The deadline passed `days` ago (the check constraint wants it after the date found)."""
    Hazard.objects.filter(pk=hazard.pk).update(found_on=in_days(-30), deadline=in_days(-days))


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get("/tasks/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def elsewhere(db):
    """Findings the 长沙 head must never see: in 株洲's 醴陵市, and a 浏阳 construction site."""
    zhuzhou = OrganizationFactory(name="醴陵市应急管理局", region=region("430281"), industries=["fireworks"])
    zhuzhou_inspector = UserFactory(organization=zhuzhou, roles=[Role.INSPECTOR])
    housing = OrganizationFactory(name="浏阳市住房和城乡建设局", region=region("430181"), industries=["construction"])
    housing_inspector = UserFactory(organization=housing, roles=[Role.INSPECTOR])
    return [
        report(zhuzhou_inspector, region=region("430281"), site_name="醴陵某花炮厂"),
        report(housing_inspector, industry=industry("construction-housing"), site_name="浏阳某工地"),
    ]


# --- The head --------------------------------------------------------------------------------


def test_the_head_sees_what_waits_on_a_head(client, head, inspector, rectifier, elsewhere):
    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    reported = [hazard_in("reported", **people) for _ in range(2)]
    submitted = hazard_in("submitted", **people)
    verified = hazard_in("verified", **people)
    asking = hazard_in("rectifying", deadline=in_days(10), **people)
    ask_extension(asking, rectifier)
    overdue_asking = hazard_in("assigned", deadline=in_days(5), **people)
    ask_extension(overdue_asking, rectifier)
    make_overdue(overdue_asking)
    # Nothing waits on the head for these.
    hazard_in("closed", **people)
    hazard_in("void", **people)
    hazard_in("rectifying", **people)

    page = page_of(client, head)

    assert set(queue_hazard_ids(page, "to_assign")) == {hazard.pk for hazard in reported}
    assert queue_hazard_ids(page, "to_accept") == [submitted.pk]
    assert queue_hazard_ids(page, "to_close") == [verified.pk]
    # Overdue first.
    assert queue_hazard_ids(page, "extensions") == [overdue_asking.pk, asking.pk]
    counts = {key: queue_count(page, key) for key in HEAD_QUEUES}
    assert counts == {"to_assign": 2, "extensions": 2, "to_accept": 1, "to_close": 1}
    # Out of scope, nowhere.
    for hazard in elsewhere:
        assert f"/hazards/{hazard.pk}/" not in page
    # A head is not a rectifying unit.
    for key in UNIT_QUEUES:
        assert f'data-queue="{key}"' not in page


def test_the_head_is_not_asked_to_accept_their_own_submission(client, head, inspector, rectifier):
    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    both = dual_head(rectifier.organization)
    by_the_unit = hazard_in("submitted", **people)
    own = hazard_in("rectifying", **people)
    workflow.submit(actor=both, hazard_id=own.pk, completion_report="已整改。", attachments=[png_attachment(both)])

    page = page_of(client, both)

    assert queue_hazard_ids(page, "to_accept") == [by_the_unit.pk]
    assert queue_count(page, "to_accept") == 1
    # As a member of the unit, their own submission waits for someone else.
    assert set(queue_hazard_ids(page, "waiting")) == {by_the_unit.pk, own.pk}
    # The other head does see it.
    assert set(queue_hazard_ids(page_of(client, head), "to_accept")) == {by_the_unit.pk, own.pk}


def test_an_out_of_scope_head_has_nothing_waiting(client, head, inspector, rectifier):
    from tests.hazards.workflow_helpers import head_out_of_scope

    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    hazards = [hazard_in(state, **people) for state in ("reported", "submitted", "verified")]

    page = page_of(client, head_out_of_scope())

    assert {key: queue_count(page, key) for key in HEAD_QUEUES} == dict.fromkeys(HEAD_QUEUES, 0)
    for hazard in hazards:
        assert f"/hazards/{hazard.pk}/" not in page


def test_a_voided_hazard_no_longer_waits_for_an_extension_decision(client, head, inspector, rectifier):
    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    hazard = hazard_in("assigned", **people)
    ask_extension(hazard, rectifier)
    workflow.void(actor=head, hazard_id=hazard.pk, reason="重复录入。")

    page = page_of(client, head)

    assert queue_count(page, "extensions") == 0
    assert f"/hazards/{hazard.pk}/" not in page


# --- The rectifying unit -----------------------------------------------------------------------


def test_the_rectifier_sees_its_own_units_work_only(client, head, inspector, rectifier):
    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    soon = hazard_in("assigned", deadline=in_days(5), **people)
    later = hazard_in("assigned", deadline=in_days(20), **people)
    late = hazard_in("assigned", deadline=in_days(8), **people)
    make_overdue(late, days=2)
    rectifying = hazard_in("rectifying", **people)
    waiting = hazard_in("submitted", **people)
    hazard_in("reported", **people)  # not assigned yet: not the unit's business
    hazard_in("verified", **people)
    neighbour = other_rectifier()
    theirs = [
        hazard_in(state, inspector=inspector, head=head, rectifier=neighbour)
        for state in ("assigned", "rectifying", "submitted")
    ]

    page = page_of(client, rectifier)

    assert queue_hazard_ids(page, "to_start") == [late.pk, soon.pk, later.pk]
    assert queue_hazard_ids(page, "to_submit") == [rectifying.pk]
    assert queue_hazard_ids(page, "waiting") == [waiting.pk]
    assert {key: queue_count(page, key) for key in UNIT_QUEUES} == {"to_start": 3, "to_submit": 1, "waiting": 1}
    for hazard in theirs:
        assert f"/hazards/{hazard.pk}/" not in page
    for key in HEAD_QUEUES:
        assert f'data-queue="{key}"' not in page
    # The overdue row is marked as such.
    to_start = page[page.index('data-queue="to_start"') :]
    first_row = to_start[to_start.index("<li") : to_start.index("</li>")]
    assert "overdue" in first_row


def test_the_neighbour_sees_only_theirs(client, head, inspector, rectifier):
    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    hazard_in("assigned", **people)
    neighbour = other_rectifier()
    theirs = hazard_in("rectifying", inspector=inspector, head=head, rectifier=neighbour)

    page = page_of(client, neighbour)

    assert {key: queue_count(page, key) for key in UNIT_QUEUES} == {"to_start": 0, "to_submit": 1, "waiting": 0}
    assert queue_hazard_ids(page, "to_submit") == [theirs.pk]


def test_the_inspector_sees_their_findings_not_yet_assigned(client, head, inspector, rectifier):
    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    mine = hazard_in("reported", **people)
    hazard_in("assigned", **people)

    page = page_of(client, inspector)

    assert queue_hazard_ids(page, "my_findings") == [mine.pk]
    for key in HEAD_QUEUES + UNIT_QUEUES:
        assert f'data-queue="{key}"' not in page


# --- Cost --------------------------------------------------------------------------------------


def fill(people, copies: int) -> None:
    """`copies` hazards in every queue of the head and of the unit."""
    for _ in range(copies):
        for state in ("reported", "assigned", "submitted", "verified"):
            hazard_in(state, **people)
        asking = hazard_in("assigned", **people)
        ask_extension(asking, people["rectifier"])
        start(asking, people["rectifier"])


def queries_for(client, user) -> int:
    client.force_login(user)
    client.get("/tasks/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/tasks/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["head", "rectifier"])
def test_the_number_of_queries_does_not_grow_with_the_number_of_hazards(client, head, inspector, rectifier, role):
    people = {"inspector": inspector, "head": head, "rectifier": rectifier}
    user = people[role]
    fill(people, 1)
    few = queries_for(client, user)

    fill(people, 4)
    many = queries_for(client, user)

    assert many == few
    page = page_of(client, user)
    if role == "head":
        assert queue_count(page, "to_assign") == 5
    else:
        assert {key: queue_count(page, key) for key in UNIT_QUEUES} == dict.fromkeys(UNIT_QUEUES, 5)
