"""对账销号 end to end: the unit's list is prepared, answered item by item and signed, the department
sends it back or confirms it, and a confirmed reconciliation cannot change — in the database too."""

from datetime import date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from hazards import workflow
from hazards.models import Hazard
from reconciliation import periods, services
from reconciliation.models import Reconciliation, ReconciliationEvent, ReconciliationItem
from tests.factories import HazardFactory, UserFactory, industry, region
from tests.hazards.workflow_helpers import png_attachment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Q2 = periods.parse("2026-Q2")  # the frozen today, 2026-06-15, is in it: not yet ended
Q1 = periods.parse("2026-Q1")


@pytest.fixture
def unit_hazards(rectifier):
    """Four hazards of the rectifier's unit and one of another unit, around the first quarter of 2026."""
    unit = rectifier.organization
    return {
        "open_before": HazardFactory(unit=unit, site_name="", found_on=date(2025, 12, 20)),
        "found_in": HazardFactory(unit=unit, site_name="", found_on=date(2026, 2, 3)),
        "closed_before": HazardFactory(
            unit=unit,
            site_name="",
            found_on=date(2025, 11, 2),
            state="closed",
            closed_at=timezone.make_aware(timezone.datetime(2025, 12, 1)),
        ),
        "found_after": HazardFactory(unit=unit, site_name="", found_on=date(2026, 4, 2)),
        "void": HazardFactory(unit=unit, site_name="", found_on=date(2026, 2, 4), state="void"),
        "elsewhere": HazardFactory(found_on=date(2026, 2, 5)),
    }


def test_periods_are_quarters_or_months():
    assert (Q1.starts_on, Q1.ends_on, Q1.kind) == (date(2026, 1, 1), date(2026, 3, 31), "quarter")
    november = periods.parse("2026-11")
    assert (november.starts_on, november.ends_on, november.kind) == (date(2026, 11, 1), date(2026, 11, 30), "month")
    assert periods.parse("2026-Q4").ends_on == date(2026, 12, 31)
    assert periods.last_ended(date(2026, 6, 15)).code == "2026-Q1"
    with pytest.raises(periods.PeriodError):
        periods.parse("2026-13")


def test_the_list_holds_what_was_open_at_the_start_or_found_in_the_period(rectifier, unit_hazards):
    reconciliation = services.prepare(actor=rectifier, unit=rectifier.organization, period=Q1)
    listed = {item.hazard_id for item in reconciliation.items.all()}
    assert listed == {unit_hazards["open_before"].pk, unit_hazards["found_in"].pk}
    # Preparing again returns the same list; a period that has not ended is not reconciled yet.
    assert services.prepare(actor=rectifier, unit=rectifier.organization, period=Q1) == reconciliation
    with pytest.raises(services.ReconciliationError):
        services.prepare(actor=rectifier, unit=rectifier.organization, period=Q2)


def answers_for(reconciliation, **by_hazard):
    return {item.pk: by_hazard[str(item.hazard_id)] for item in reconciliation.items.all()}


def test_end_to_end_with_a_disputed_item_sent_back_and_confirmed(rectifier, head, unit_hazards):
    unit = rectifier.organization
    reconciliation = services.prepare(actor=rectifier, unit=unit, period=Q1)
    open_before, found_in = str(unit_hazards["open_before"].pk), str(unit_hazards["found_in"].pk)

    # A disputed item needs its note; every item needs its answer.
    with pytest.raises(services.ReconciliationError):
        services.confirm_by_unit(
            actor=rectifier,
            reconciliation_id=reconciliation.pk,
            answers=answers_for(reconciliation, **{open_before: ("still_open", ""), found_in: ("disputed", "")}),
        )
    # The department cannot confirm what the unit has not signed.
    with pytest.raises(services.ReconciliationError):
        services.confirm_by_department(actor=head, reconciliation_id=reconciliation.pk)

    services.confirm_by_unit(
        actor=rectifier,
        reconciliation_id=reconciliation.pk,
        answers=answers_for(
            reconciliation, **{open_before: ("still_open", ""), found_in: ("disputed", "已于3月整改，请核实。")}
        ),
    )
    reconciliation.refresh_from_db()
    assert (reconciliation.state, reconciliation.unit_confirmed_by) == ("unit_confirmed", rectifier)

    # The unit cannot confirm for the department; the head sends it back, saying why.
    with pytest.raises(services.ReconciliationError):
        services.confirm_by_department(actor=rectifier, reconciliation_id=reconciliation.pk)
    services.send_back(actor=head, reconciliation_id=reconciliation.pk, reason="争议项需附整改照片。")
    assert Reconciliation.objects.get(pk=reconciliation.pk).state == "sent_back"

    services.confirm_by_unit(
        actor=rectifier,
        reconciliation_id=reconciliation.pk,
        answers=answers_for(
            reconciliation, **{open_before: ("still_open", ""), found_in: ("rectified", "照片已补充。")}
        ),
    )
    services.confirm_by_department(actor=head, reconciliation_id=reconciliation.pk, note="核对无误。")
    reconciliation.refresh_from_db()
    assert (reconciliation.state, reconciliation.department_confirmed_by) == ("confirmed", head)
    assert [event.action for event in reconciliation.events.all()] == [
        "prepare",
        "unit_confirm",
        "send_back",
        "unit_confirm",
        "confirm",
    ]
    # The first signature is kept in the history with the answers as signed then.
    first = reconciliation.events.filter(action="unit_confirm").first()
    assert first.answers[found_in] == ["disputed", "已于3月整改，请核实。"]

    # Confirmed: the services refuse every further step.
    with pytest.raises(services.ReconciliationError):
        services.confirm_by_unit(actor=rectifier, reconciliation_id=reconciliation.pk, answers={})
    with pytest.raises(services.ReconciliationError):
        services.send_back(actor=head, reconciliation_id=reconciliation.pk, reason="再看看")


@pytest.mark.postgres
def test_a_confirmed_reconciliation_cannot_be_edited_in_the_database(rectifier, head, unit_hazards):
    reconciliation = services.prepare(actor=rectifier, unit=rectifier.organization, period=Q1)
    services.confirm_by_unit(
        actor=rectifier,
        reconciliation_id=reconciliation.pk,
        answers={item.pk: ("still_open", "") for item in reconciliation.items.all()},
    )
    # Before the department confirms, the rows may still change (the unit answers again after a send-back).
    ReconciliationItem.objects.filter(reconciliation=reconciliation).update(note="改")
    services.confirm_by_department(actor=head, reconciliation_id=reconciliation.pk)
    item = reconciliation.items.first()
    writes = [
        lambda: Reconciliation.objects.filter(pk=reconciliation.pk).update(state="prepared"),
        # (The ORM's delete stops at the protected items; the trigger stops the statement itself.)
        lambda: connection.cursor().execute(
            "DELETE FROM reconciliation_reconciliation WHERE id = %s", [reconciliation.pk]
        ),
        lambda: ReconciliationItem.objects.filter(pk=item.pk).update(answer="rectified"),
        lambda: ReconciliationItem.objects.filter(pk=item.pk).delete(),
        lambda: ReconciliationItem.objects.create(
            reconciliation=reconciliation,
            hazard=unit_hazards["found_after"],
            hazard_state="reported",
            found_on=unit_hazards["found_after"].found_on,
        ),
        lambda: ReconciliationEvent.objects.filter(reconciliation=reconciliation).update(note="改写历史"),
    ]
    for write in writes:
        with pytest.raises(DatabaseError, match="immutable|append-only"), transaction.atomic():
            write()
    reconciliation.refresh_from_db()
    assert reconciliation.state == "confirmed"
    assert set(reconciliation.items.values_list("answer", flat=True)) == {"still_open"}


def test_only_the_units_users_sign_and_only_its_departments_head_reviews(rectifier, head, inspector, unit_hazards):
    reconciliation = services.prepare(actor=rectifier, unit=rectifier.organization, period=Q1)
    answers = {item.pk: ("still_open", "") for item in reconciliation.items.all()}
    for outsider in (head, inspector):
        with pytest.raises(services.ReconciliationError):
            services.confirm_by_unit(actor=outsider, reconciliation_id=reconciliation.pk, answers=answers)
    services.confirm_by_unit(actor=rectifier, reconciliation_id=reconciliation.pk, answers=answers)
    # An inspector is not a head; a head of another city's department does not supervise the unit.
    stranger = UserFactory(
        organization__name="株洲市应急管理局",
        organization__region=region("430200"),
        organization__industries=["fireworks"],
        roles=["department_head"],
    )
    for outsider in (inspector, stranger):
        with pytest.raises(services.ReconciliationError):
            services.confirm_by_department(actor=outsider, reconciliation_id=reconciliation.pk)


def test_the_pages_take_the_unit_through_its_confirmation(client, rectifier, head, unit_hazards):
    unit = rectifier.organization
    client.force_login(rectifier)
    page_url = reverse("reconciliation:detail", args=[unit.pk, "2026-Q1"])
    assert client.post(reverse("reconciliation:act", args=[unit.pk, "2026-Q1", "prepare"])).status_code == 302
    reconciliation = Reconciliation.objects.get(unit=unit, period="2026-Q1")
    items = list(reconciliation.items.all())
    form = {f"answer-{item.pk}": "still_open" for item in items}
    form[f"answer-{items[0].pk}"] = "disputed"
    # A disputed item without its note: refused, and the page keeps what was chosen.
    page = client.post(reverse("reconciliation:act", args=[unit.pk, "2026-Q1", "unit-confirm"]), form)
    assert page.status_code == 400
    assert 'value="disputed" selected' in page.content.decode()
    form[f"note-{items[0].pk}"] = "此项已销号"
    assert (
        client.post(reverse("reconciliation:act", args=[unit.pk, "2026-Q1", "unit-confirm"]), form).status_code == 302
    )
    client.force_login(head)
    status = client.get(reverse("reconciliation:list"), {"period": "2026-Q1", "status": "unit_confirmed"})
    assert unit.name in status.content.decode()
    # The disputed item is the department's task: the list of disputes to review holds the unit.
    disputes = client.get(reverse("reconciliation:list"), {"period": "2026-Q1", "status": "disputes"})
    assert unit.name in disputes.content.decode()
    assert client.post(reverse("reconciliation:act", args=[unit.pk, "2026-Q1", "confirm"])).status_code == 302
    assert Reconciliation.objects.get(pk=reconciliation.pk).state == "confirmed"
    sheet = client.get(reverse("reconciliation:print", args=[unit.pk, "2026-Q1"]))
    assert sheet.status_code == 200 and str(rectifier) in sheet.content.decode() and str(head) in sheet.content.decode()
    assert client.get(page_url).status_code == 200


def test_the_self_found_hazards_of_a_period_are_on_the_units_list(rectifier, settings, tmp_path, frozen_today):
    settings.MEDIA_ROOT = tmp_path
    hazard = Hazard(
        title="灭火器过期",
        description="二号库灭火器过期。",
        industry=industry("fireworks-production"),
        found_on=timezone.localdate(),
        measures="更换灭火器。",
    )
    hazard = workflow.report_self_found(
        actor=rectifier, hazard=hazard, deadline=timezone.localdate() + timedelta(days=3)
    )
    workflow.submit(
        actor=rectifier, hazard_id=hazard.pk, completion_report="已更换。", attachments=[png_attachment(rectifier)]
    )
    frozen_today.move_to(timezone.datetime(2026, 7, 2, 10, 0, tzinfo=timezone.get_current_timezone()))
    reconciliation = services.prepare(actor=rectifier, unit=rectifier.organization, period=Q2)
    assert [item.hazard_id for item in reconciliation.items.all()] == [hazard.pk]


def test_units_of_monthly_industries_reconcile_by_month(rectifier, settings):
    settings.RECONCILIATION_MONTHLY_INDUSTRIES = ["fireworks"]
    with pytest.raises(services.ReconciliationError):
        services.prepare(actor=rectifier, unit=rectifier.organization, period=Q1)
    assert (
        services.prepare(actor=rectifier, unit=rectifier.organization, period=periods.parse("2026-05")).period
        == "2026-05"
    )


def test_units_that_have_not_reconciled_are_reminded_once_after_the_wait(rectifier, head, settings, mailoutbox):
    from notifications.delivery import send_due
    from reconciliation.reminders import remind_unreconciled

    settings.RECONCILIATION_REMIND_AFTER_DAYS = 5
    rectifier.email = "safety@example.com"
    rectifier.save()
    # Q1 ended on 31 March: by 5 April the unit is late. A unit that signed is not reminded.
    assert remind_unreconciled(today=date(2026, 4, 3)) == 0
    assert remind_unreconciled(today=date(2026, 4, 6)) == 1
    assert mailoutbox == []  # the e-mail waits in the delivery outbox for the relay
    send_due()
    assert len(mailoutbox) == 1 and "2026-Q1" in mailoutbox[0].subject
    assert f"/reconciliations/{rectifier.organization.pk}/2026-Q1/" in mailoutbox[0].body
    assert remind_unreconciled(today=date(2026, 4, 7)) == 0  # once each
    signed = services.prepare(
        actor=rectifier, unit=rectifier.organization, period=periods.parse("2026-Q2"), today=date(2026, 7, 1)
    )
    services.confirm_by_unit(actor=rectifier, reconciliation_id=signed.pk, answers={})
    assert remind_unreconciled(today=date(2026, 7, 10)) == 0


def test_the_reconciliation_pages_cost_a_fixed_number_of_queries(
    client, rectifier, head, django_assert_max_num_queries
):
    unit = rectifier.organization
    for day in range(1, 21):
        HazardFactory(unit=unit, site_name="", found_on=date(2026, 2, day))
    reconciliation = services.prepare(actor=rectifier, unit=unit, period=Q1)
    assert reconciliation.items.count() == 20
    client.force_login(head)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reconciliation:list"), {"period": "2026-Q1"}).status_code == 200
    client.force_login(rectifier)
    for url in ("reconciliation:detail", "reconciliation:print"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(url, args=[unit.pk, "2026-Q1"])).status_code == 200
