"""The reminder ladder (DESIGN.md section 6), on frozen days passed as `today=`.

The scene (tests/notifications/reminder_helpers.py): a fireworks hazard in 浏阳市 whose chain names a
general manager, a department chief, a vice mayor for safety, the party secretary and a portfolio
vice mayor. Each test asks who is reminded on which day: the rectifying unit before and on the
deadline, the supervising department once it passes, the territorial and leadership layers when it
is escalated; never anybody for a hazard no longer waiting for rectification.
"""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.roles import Role
from hazards import workflow
from hazards.models import Hazard, HazardState
from notifications import reminders
from notifications.models import Delivery, Digest, Notification, Reminder
from tests.factories import EnterpriseFactory, HazardFactory, OrganizationFactory, UserFactory, region
from tests.hazards.workflow_helpers import ask_extension, move_to, report, text
from tests.notifications.reminder_helpers import (
    LIUYANG,
    assigned_hazard,
    everyone_opens_their_notifications,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Stage = Reminder.Stage
NOTHING = {Stage.DUE_SOON: 0, Stage.DUE_TODAY: 0, Stage.OVERDUE: 0, Stage.ESCALATION: 0}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def scan(day):
    return reminders.scan_deadlines(today=day)


def people(hazard, stage, sequence=None) -> set[int]:
    rows = Reminder.objects.filter(hazard=hazard, stage=stage)
    if sequence is not None:
        rows = rows.filter(sequence=sequence)
    return set(rows.values_list("recipient_id", flat=True))


def created(**counts) -> dict:
    return {**NOTHING, **{Stage(stage): count for stage, count in counts.items()}}


# --- Each stage -------------------------------------------------------------------------------


def test_nothing_is_due_more_than_three_days_before_the_deadline(hazard):
    assert scan(hazard.deadline - timedelta(days=4)) == NOTHING
    assert not Reminder.objects.exists()


def test_due_soon_three_days_before_goes_to_the_unit_and_the_enterprise_layer(scene, hazard):
    assert scan(hazard.deadline - timedelta(days=3)) == created(due_soon=3)
    assert people(hazard, Stage.DUE_SOON) == scene.due_people
    # The clerk is a member without the rectifying-unit role; the head assigned it and is not told.
    assert scene.clerk.pk not in people(hazard, Stage.DUE_SOON)
    reminder = Reminder.objects.get(hazard=hazard, recipient=scene.rectifier)
    assert (reminder.deadline, reminder.sequence, reminder.days) == (hazard.deadline, 0, 3)


def test_due_today_goes_to_the_same_people(scene, hazard):
    assert scan(hazard.deadline) == created(due_today=3)
    assert people(hazard, Stage.DUE_TODAY) == scene.due_people


def test_overdue_the_day_after_adds_the_supervising_department(scene, hazard, head):
    assert scan(hazard.deadline + timedelta(days=1)) == created(overdue=5)
    assert people(hazard, Stage.OVERDUE) == scene.overdue_people
    # The 长沙市 head assigned it but is no head of the supervising department: the digest is theirs.
    assert head.pk not in people(hazard, Stage.OVERDUE)


def test_a_head_of_the_supervising_department_outside_the_hazards_county_is_not_reminded(scene, hazard):
    elsewhere = UserFactory(
        username="liling_head",
        organization=scene.county_head.organization,
        region=region("430281"),
        roles=[Role.DEPARTMENT_HEAD],
    )
    scan(hazard.deadline + timedelta(days=1))
    assert elsewhere.pk not in people(hazard, Stage.OVERDUE)
    assert scene.county_head.pk in people(hazard, Stage.OVERDUE)


def test_overdue_repeats_every_three_days(hazard):
    deadline = hazard.deadline
    per_day = {days: scan(deadline + timedelta(days=days))[Stage.OVERDUE] for days in range(1, 11)}
    # Day 1 starts the ladder, then days 4, 7 and 10; nothing in between.
    assert [days for days, count in per_day.items() if count] == [1, 4, 7, 10]
    assert sorted(set(Reminder.objects.filter(stage=Stage.OVERDUE).values_list("sequence", flat=True))) == [
        0,
        1,
        2,
        3,
    ]


def test_the_repeat_interval_comes_from_settings(settings, hazard):
    settings.REMINDERS = {**settings.REMINDERS, "overdue": {**settings.REMINDERS["overdue"], "every_days": 2}}
    days = [d for d in range(1, 8) if scan(hazard.deadline + timedelta(days=d))[Stage.OVERDUE]]
    assert days == [1, 3, 5, 7]


def test_a_missed_day_is_caught_up_once(hazard):
    """The beat did not run on day 4: day 5 sends the second overdue reminder, day 6 nothing."""
    deadline = hazard.deadline
    scan(deadline + timedelta(days=1))
    assert scan(deadline + timedelta(days=5))[Stage.OVERDUE] == 5
    assert scan(deadline + timedelta(days=6))[Stage.OVERDUE] == 0
    assert set(Reminder.objects.filter(stage=Stage.OVERDUE).values_list("sequence", flat=True)) == {0, 1}


# --- Escalation -------------------------------------------------------------------------------


def test_a_general_hazard_is_escalated_seven_days_overdue_to_territorial_and_leadership(scene, hazard):
    assert scan(hazard.deadline + timedelta(days=6))[Stage.ESCALATION] == 0
    assert scan(hazard.deadline + timedelta(days=7)) == created(overdue=5, escalation=3)
    assert people(hazard, Stage.ESCALATION) == scene.escalation_people
    # Once per deadline: the next days add overdue repeats, not escalations.
    assert scan(hazard.deadline + timedelta(days=10))[Stage.ESCALATION] == 0


def test_a_major_hazard_is_escalated_the_first_day_overdue(scene):
    major = assigned_hazard(scene, major=True)
    assert scan(major.deadline + timedelta(days=1)) == created(overdue=5, escalation=3)
    assert people(major, Stage.ESCALATION) == scene.escalation_people


def test_a_listed_major_hazard_is_escalated_to_the_listing_body_too(scene, head):
    major = assigned_hazard(scene, major=True)
    workflow.list_for_supervision(actor=head, hazard_id=major.pk, level="city")
    listing_colleague = UserFactory(
        username="listing_colleague", organization=head.organization, roles=[Role.DEPARTMENT_HEAD]
    )
    scan(major.deadline + timedelta(days=1))
    assert people(major, Stage.ESCALATION) == scene.escalation_people | {head.pk, listing_colleague.pk}


def _hand_over(post_holder, successor):
    from accounts.models import Post

    Post.objects.filter(holder=post_holder).update(holder=successor)


def test_reminders_go_to_whoever_holds_the_post_now(scene, hazard):
    """The chain is a snapshot; the vice mayor moved on and a successor, who sees the county, holds the post."""
    successor = UserFactory(
        username="new_vice_mayor", organization=scene.vice_mayor.organization, roles=[Role.DEPARTMENT_HEAD]
    )
    _hand_over(scene.vice_mayor, successor)
    scan(hazard.deadline + timedelta(days=7))
    escalated = people(hazard, Stage.ESCALATION)
    assert successor.pk in escalated and scene.vice_mayor.pk not in escalated


def test_a_successor_who_cannot_see_the_hazard_is_stood_in_for_by_the_person_named(scene, hazard):
    """Nobody gets a link that answers 404: the snapshot's person, named on the hazard, sees it."""
    successor = UserFactory(username="new_vice_mayor", organization=scene.vice_mayor.organization)
    _hand_over(scene.vice_mayor, successor)
    scan(hazard.deadline + timedelta(days=7))
    escalated = people(hazard, Stage.ESCALATION)
    assert scene.vice_mayor.pk in escalated and successor.pk not in escalated


def test_deactivated_people_are_not_reminded(scene, hazard):
    scene.colleague.is_active = False
    scene.colleague.save()
    scan(hazard.deadline)
    assert people(hazard, Stage.DUE_TODAY) == scene.due_people - {scene.colleague.pk}


# --- The ladder restarts with a new deadline; finished hazards get nothing ----------------------


def test_an_extension_restarts_the_ladder(scene, hazard, head):
    old_deadline = hazard.deadline
    scan(old_deadline - timedelta(days=3))
    ask_extension(hazard, scene.rectifier, days_later=15)
    workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True)
    hazard.refresh_from_db()
    assert hazard.deadline == old_deadline + timedelta(days=15)

    # The old deadline's days now mean nothing; the new one gets its own due-soon, due-today, overdue.
    assert scan(old_deadline) == NOTHING
    assert scan(old_deadline + timedelta(days=1)) == NOTHING
    assert scan(hazard.deadline - timedelta(days=3)) == created(due_soon=3)
    assert scan(hazard.deadline) == created(due_today=3)
    assert scan(hazard.deadline + timedelta(days=1)) == created(overdue=5)
    assert set(Reminder.objects.filter(stage=Stage.DUE_SOON).values_list("deadline", flat=True)) == {
        old_deadline,
        hazard.deadline,
    }


@pytest.mark.parametrize("state", [HazardState.SUBMITTED, HazardState.VERIFIED, HazardState.CLOSED])
def test_a_hazard_no_longer_waiting_for_rectification_gets_nothing(scene, head, state):
    hazard = move_to(
        report(scene.inspector, unit=scene.unit), state, head=head, rectifier=scene.rectifier, deadline=None
    )
    assert hazard.state == state
    for days in (-3, 0, 1, 7, 30):
        assert scan(hazard.deadline + timedelta(days=days)) == NOTHING
    assert not Reminder.objects.exists()


def test_a_void_or_unassigned_finding_gets_nothing(scene, head):
    void = move_to(report(scene.inspector, unit=scene.unit), HazardState.VOID, head=head, rectifier=scene.rectifier)
    reported = report(scene.inspector, unit=scene.unit)
    assert void.deadline is None and reported.deadline is None
    assert scan(reported.found_on + timedelta(days=30)) == NOTHING


def test_a_reminder_already_created_is_not_delivered_once_the_hazard_is_submitted(scene, hazard, settings):
    """Created in the morning, the unit submits before the e-mail goes out: the e-mail is cancelled."""
    from notifications import delivery

    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    reminders.scan_deadlines(today=hazard.deadline, relay=False)
    move_to(hazard, HazardState.SUBMITTED, head=scene.head, rectifier=scene.rectifier)
    assert delivery.send_due() == {Delivery.Status.CANCELLED: 1}
    email = Delivery.objects.get(channel=Delivery.Channel.EMAIL)
    assert email.status == Delivery.Status.CANCELLED and "submitted" in email.last_error


# --- Exactly once and cost ----------------------------------------------------------------------


def test_a_second_scan_creates_and_delivers_nothing(scene, hazard):
    day = hazard.deadline + timedelta(days=7)
    first = scan(day)
    counts = (Reminder.objects.count(), Notification.objects.count(), Delivery.objects.count())
    assert scan(day) == NOTHING
    assert scan(day) == NOTHING
    assert (Reminder.objects.count(), Notification.objects.count(), Delivery.objects.count()) == counts
    assert sum(first.values()) == Reminder.objects.count() == 8
    # One in-app notification per reminder, once its recipient opens their notifications: the in-app
    # channel needs no outbox row.
    assert everyone_opens_their_notifications() == 8
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == 8
    assert set(Notification.objects.values_list("reminder", flat=True)) == set(
        Reminder.objects.values_list("pk", flat=True)
    )
    assert not Delivery.objects.filter(channel=Delivery.Channel.IN_APP).exists()


def test_rows_left_unplanned_by_a_crashed_scan_are_delivered_by_the_next(scene, hazard):
    """A scan inserted its reminders and died before planning their deliveries."""
    import uuid

    assert len(reminders.insert_due_reminders(today=hazard.deadline, scan=uuid.uuid4())) == 3
    assert everyone_opens_their_notifications() == 0  # not planned: in nobody's bell
    assert scan(hazard.deadline) == NOTHING
    assert everyone_opens_their_notifications() == 3


def _open_hazards(scene, count: int, deadline):
    for _ in range(count):
        HazardFactory(
            found_by=scene.inspector,
            unit=scene.unit,
            found_on=deadline - timedelta(days=30),
            state=HazardState.RECTIFYING,
            deadline=deadline,
            rectifying_unit=scene.unit,
            responsibility_chain=scene.chain,
        )


def test_the_scan_makes_the_same_number_of_queries_for_2_or_20_due_hazards(scene):
    day = timezone.localdate() + timedelta(days=60)
    _open_hazards(scene, 2, day - timedelta(days=7))
    with CaptureQueriesContext(connection) as few:
        assert scan(day)[Stage.ESCALATION] == 2 * 3
    _open_hazards(scene, 18, day + timedelta(days=10 - 7))
    with CaptureQueriesContext(connection) as many:
        assert scan(day + timedelta(days=10))[Stage.ESCALATION] == 18 * 3
    # Reads and updates do not grow with the hazards; inserts only by the database's batch size.
    assert _not_inserts(many) == _not_inserts(few)
    assert len(many) - len(_not_inserts(many)) <= 8


def _not_inserts(queries) -> list[str]:
    return [query["sql"][:20] for query in queries.captured_queries if not query["sql"].startswith("INSERT")]


def test_the_scan_takes_due_hazards_in_batches_in_index_order(scene, monkeypatch):
    """Batches bounded by (deadline, id) keys: five hazards with the same deadline, two a batch."""
    import uuid

    day = timezone.localdate() + timedelta(days=60)
    _open_hazards(scene, 5, day - timedelta(days=1))
    monkeypatch.setattr(reminders, "SCAN_BATCH", 2)
    run = reminders._Scan(today=day, scan=uuid.uuid4(), ladder=reminders.Ladder.from_settings())
    keys = list(Hazard.objects.order_by("deadline", "pk").values_list("deadline", "pk"))
    assert list(run.batches()) == [(None, keys[1]), (keys[1], keys[3]), (keys[3], None)]
    # Every hazard once, none twice, across the batches' bounds.
    assert scan(day)[Stage.OVERDUE] == 5 * 5
    assert Reminder.objects.values("hazard").distinct().count() == 5
    sql = str(reminders.open_work_until(date(2026, 6, 1)).query)
    assert '"state" IN' in sql and '"deadline" <=' in sql and "ORDER BY" in sql


@pytest.mark.postgres
def test_postgresql_answers_the_scan_from_the_state_and_deadline_index(scene):
    _open_hazards(scene, 3, date(2026, 6, 1))
    query, params = reminders.open_work_until(date(2026, 6, 1))[: reminders.SCAN_BATCH].query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table is cheaper to read whole: make the planner show whether the index fits the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # An index scan or a bitmap index scan of the (state, deadline) index, or of a partial index
    # of open work (assigned, rectifying) by deadline, alone or by region: either way an index on the
    # deadline limited to open work answers, never a scan of the ledger.
    assert "Seq Scan" not in plan, plan
    open_work_indexes = ("hazard_state_deadline_idx", "hazard_open_region_due_idx", "hazard_open_deadline_idx")
    assert any(index in plan for index in open_work_indexes), plan
    assert "Index Cond" in plan and "deadline <=" in plan, plan


# --- The command --------------------------------------------------------------------------------


def test_remind_overdue_prints_what_it_created_per_stage(scene, hazard, capsys):
    call_command("remind_overdue", "--today", (hazard.deadline + timedelta(days=7)).isoformat())
    out = capsys.readouterr().out
    assert "due_soon: 0" in out and "overdue: 5" in out and "escalation: 3" in out and "total: 8" in out
    call_command("remind_overdue", "--today", (hazard.deadline + timedelta(days=7)).isoformat())
    assert "total: 0" in capsys.readouterr().out


def test_remind_overdue_send_delivers_email_in_process(scene, hazard, capsys, mailoutbox):
    scene.rectifier.email = "rectifier@example.gov.cn"
    scene.rectifier.save()
    call_command("remind_overdue", "--today", hazard.deadline.isoformat(), "--send")
    assert "sent 1" in capsys.readouterr().out
    assert [message.to for message in mailoutbox] == [["rectifier@example.gov.cn"]]


def test_remind_overdue_refuses_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("remind_overdue", "--today", "2026-13-01")


# --- The daily digest ---------------------------------------------------------------------------


def test_each_head_gets_one_digest_grouped_by_unit(scene, head, hazard):
    other_unit = EnterpriseFactory(name="浏阳第二烟花厂", region=region(LIUYANG), industries=["fireworks"])
    day = hazard.deadline + timedelta(days=2)
    for days_late in (5, 1):
        HazardFactory(
            found_by=scene.inspector,
            unit=other_unit,
            found_on=day - timedelta(days=30),
            state=HazardState.ASSIGNED,
            deadline=day - timedelta(days=days_late),
            rectifying_unit=other_unit,
        )
    HazardFactory(  # due soon, in two days
        found_by=scene.inspector,
        unit=other_unit,
        found_on=day - timedelta(days=30),
        state=HazardState.RECTIFYING,
        deadline=day + timedelta(days=2),
        rectifying_unit=other_unit,
    )
    zhuzhou = OrganizationFactory(name="株洲市应急管理局", region=region("430200"), industries=["fireworks"])
    out_of_scope = UserFactory(username="zhuzhou_head", organization=zhuzhou, roles=[Role.DEPARTMENT_HEAD])

    assert reminders.create_digests(today=day) == 2  # the 长沙 head and the 浏阳 county head
    digest = Digest.objects.get(recipient=head)
    assert (digest.overdue_count, digest.due_soon_count) == (3, 1)
    groups = digest.items_by_unit()
    # Grouped by unit: each unit once, its items together, the most overdue first.
    assert {unit: len(items) for unit, items in groups} == {scene.unit.name: 1, other_unit.name: 3}
    assert len(groups) == 2
    assert [item["days_left"] for item in dict(groups)[other_unit.name]] == [-5, -1, 2]
    assert not Digest.objects.filter(recipient=out_of_scope).exists()
    # One message per head, not one per hazard; a rerun adds nothing.
    assert Notification.objects.filter(recipient=head, kind=Notification.Kind.DIGEST).count() == 1
    assert reminders.create_digests(today=day) == 0
    assert Notification.objects.filter(recipient=head, kind=Notification.Kind.DIGEST).count() == 1


def test_a_head_with_nothing_due_gets_no_digest(head, scene):
    assert reminders.create_digests(today=timezone.localdate()) == 0


def test_the_digest_page_is_its_recipients_alone(client, scene, head, hazard, inspector):
    reminders.create_digests(today=hazard.deadline + timedelta(days=1))
    digest = Digest.objects.get(recipient=head)
    client.force_login(head)
    client.cookies["django_language"] = "en"
    page = client.get(f"/notifications/digests/{digest.pk}/").content.decode()
    assert scene.unit.name in page and hazard.number in page and "1 day overdue" in text(page)
    notification = Notification.objects.get(recipient=head, kind=Notification.Kind.DIGEST)
    assert client.post(f"/notifications/{notification.pk}/read/")["Location"] == f"/notifications/digests/{digest.pk}/"
    client.force_login(inspector)
    assert client.get(f"/notifications/digests/{digest.pk}/").status_code == 404


# --- In the product -----------------------------------------------------------------------------


def test_the_bell_shows_the_reminder_in_the_readers_language(scene, hazard, client):
    scan(hazard.deadline + timedelta(days=4))
    client.force_login(scene.rectifier)
    client.cookies["django_language"] = "en"
    page = client.get("/notifications/").content.decode()
    assert f"{hazard.number} “{hazard.title}” is 4 days overdue" in text(page)
    notification = Notification.objects.get(recipient=scene.rectifier, kind=Notification.Kind.REMINDER)
    with translation.override("en"):
        assert notification.text == f"{hazard.number} “{hazard.title}” is 4 days overdue (deadline {hazard.deadline})"


def test_the_hazards_page_shows_the_reminders_sent(scene, hazard, client, head):
    scan(hazard.deadline + timedelta(days=7))
    client.force_login(head)
    client.cookies["django_language"] = "en"
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    card = page[page.index('data-testid="reminders-sent"') :]
    card = card[: card.index("</ol>")]
    assert 'data-stage="escalation"' in card and 'data-stage="overdue"' in card
    assert scene.portfolio_leader.get_full_name() in card and "In-app" in card


def test_the_in_app_channel_shows_once_planned_with_or_without_an_older_row(scene, hazard):
    """In-app is the bell, once planned (no delivery row since issue 19.3); rows planned before still show once."""
    scan(hazard.deadline)
    reminder = Reminder.objects.filter(hazard=hazard).first()
    planned_before = Reminder.objects.filter(hazard=hazard).exclude(pk=reminder.pk).first()
    Delivery.objects.create(reminder=planned_before, channel=Delivery.Channel.IN_APP, status=Delivery.Status.SENT)
    unplanned = Reminder.objects.filter(hazard=hazard).exclude(pk__in=[reminder.pk, planned_before.pk]).first()
    Reminder.objects.filter(pk=unplanned.pk).update(claimed_by=None, claimed_at=None)
    channels = {
        person["name"]: [channel["channel"] for channel in person["channels"]]
        for person in reminders.reminders_sent(hazard)["rungs"][0]["people"]
    }
    named = {
        each.pk: each.recipient.get_full_name() or each.recipient.username
        for each in (reminder, planned_before, unplanned)
    }
    assert channels[named[reminder.pk]] == [Delivery.Channel.IN_APP]
    assert channels[named[planned_before.pk]] == [Delivery.Channel.IN_APP]
    assert channels[named[unplanned.pk]] == []


def test_the_ledger_filters_escalated_hazards(scene, hazard, client, head):
    calm = assigned_hazard(scene, days=20)
    scan(hazard.deadline + timedelta(days=7))
    client.force_login(head)
    escalated = client.get("/hazards/?escalated=true").content.decode()
    assert hazard.number in escalated and calm.number not in escalated
    not_escalated = client.get("/hazards/?escalated=false").content.decode()
    assert calm.number in not_escalated and hazard.number not in not_escalated


def test_a_closed_hazard_shows_its_old_reminders_but_gets_no_new_ones(scene, hazard, head):
    scan(hazard.deadline)
    hazard = move_to(hazard, HazardState.CLOSED, head=head, rectifier=scene.rectifier)
    assert scan(hazard.deadline + timedelta(days=1)) == NOTHING
    assert reminders.reminders_sent(hazard)["rungs"][0]["stage"] == Stage.DUE_TODAY
    assert Hazard.objects.get(pk=hazard.pk).state == HazardState.CLOSED


def test_the_notification_list_reads_reminders_in_a_fixed_number_of_queries(scene, client):
    client.force_login(scene.rectifier)
    first = assigned_hazard(scene, days=5)
    scan(first.deadline)
    with CaptureQueriesContext(connection) as one:
        client.get("/notifications/")
    for days in (6, 7, 8, 9):
        hazard = assigned_hazard(scene, days=days)
        scan(hazard.deadline)
    with CaptureQueriesContext(connection) as five:
        page = client.get("/notifications/").content.decode()
    assert page.count("data-notification=") >= 5
    assert len(five) == len(one)


@pytest.mark.parametrize("change", ["moved to another enterprise", "moved to another county", "deactivated"])
def test_a_reminder_is_not_delivered_to_someone_who_can_no_longer_see_the_hazard(scene, hazard, change):
    """Between the scan and the e-mail, a recipient moves or leaves: their e-mail is cancelled, the others go."""
    from notifications import delivery

    for person in (scene.colleague, scene.county_head, scene.rectifier):
        person.email = f"{person.username}@example.gov.cn"
        person.save()
    reminders.scan_deadlines(today=hazard.deadline + timedelta(days=1), relay=False)
    mover = scene.county_head if change == "moved to another county" else scene.colleague
    if change == "moved to another enterprise":
        mover.organization = EnterpriseFactory(name="另一家烟花公司", region=region(LIUYANG))
    elif change == "moved to another county":
        mover.organization = OrganizationFactory(name="醴陵市应急管理局（测试）", region=region("430281"))
    else:
        mover.is_active = False
    mover.save()

    assert delivery.send_due() == {Delivery.Status.CANCELLED: 1, Delivery.Status.SENT: 2}
    cancelled = Delivery.objects.get(status=Delivery.Status.CANCELLED)
    assert cancelled.target.recipient == mover
    reason = "deactivated" if change == "deactivated" else "can no longer see the hazard"
    assert reason in cancelled.last_error
