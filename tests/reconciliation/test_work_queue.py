"""A reconciliation the unit signed with a disputed item is a task for its department head: it is in
their work queue (/tasks/) with a link to the reconciliation, and in nobody else's."""

from datetime import date

import pytest
from django.urls import reverse

from reconciliation import periods, services
from tests.factories import HazardFactory, UserFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Q1 = periods.parse("2026-Q1")


def signed(rectifier, *, disputed: bool):
    """The rectifier's unit's 2026-Q1 reconciliation, signed with (or without) one disputed item."""
    unit = rectifier.organization
    first = HazardFactory(unit=unit, site_name="", found_on=date(2026, 2, 3))
    HazardFactory(unit=unit, site_name="", found_on=date(2026, 2, 9))
    reconciliation = services.prepare(actor=rectifier, unit=unit, period=Q1)
    answers = {
        item.pk: ("disputed", "已于3月整改，请核实。")
        if disputed and item.hazard_id == first.pk
        else ("still_open", "")
        for item in reconciliation.items.all()
    }
    return services.confirm_by_unit(actor=rectifier, reconciliation_id=reconciliation.pk, answers=answers)


def disputes_section(client, user) -> str | None:
    """The text of the disputed-reconciliations card on the user's /tasks/ page, or None when it is absent."""
    client.force_login(user)
    page = client.get(reverse("work_queue"))
    assert page.status_code == 200
    html = page.content.decode()
    start = html.find('data-queue="reconciliation_disputes"')
    return None if start < 0 else html[start : html.find("</ul>", start)]


def test_the_head_finds_a_disputed_reconciliation_in_their_work_queue_with_a_link(client, rectifier, head):
    reconciliation = signed(rectifier, disputed=True)
    section = disputes_section(client, head)
    assert section is not None
    assert 'data-testid="count-reconciliation_disputes">1<' in section
    assert rectifier.organization.name in section
    assert "1 个争议事项" in section or "1 disputed item" in section
    link = reverse("reconciliation:detail", args=[rectifier.organization.pk, "2026-Q1"])
    assert f'href="{link}"' in section
    # The link opens the reconciliation the head must review.
    assert client.get(link).status_code == 200

    # Once the head resolves it (here: sends it back), it leaves the queue.
    services.send_back(actor=head, reconciliation_id=reconciliation.pk, reason="请附整改照片。")
    assert 'data-testid="count-reconciliation_disputes">0<' in disputes_section(client, head)


def test_a_signed_reconciliation_without_disputes_is_not_a_task(client, rectifier, head):
    signed(rectifier, disputed=False)
    section = disputes_section(client, head)
    assert 'data-testid="count-reconciliation_disputes">0<' in section
    assert rectifier.organization.name not in section


def test_nobody_but_the_units_supervising_head_sees_the_dispute(client, rectifier, head, inspector):
    signed(rectifier, disputed=True)
    stranger = UserFactory(
        organization__name="株洲市应急管理局",
        organization__region=region("430200"),
        organization__industries=["fireworks"],
        roles=["department_head"],
    )
    # A head of another city: the section, empty; the inspector and the unit itself: no section at all.
    section = disputes_section(client, stranger)
    assert 'data-testid="count-reconciliation_disputes">0<' in section
    assert rectifier.organization.name not in section
    assert disputes_section(client, inspector) is None
    assert disputes_section(client, rectifier) is None


def test_the_status_counts_are_kept_but_follow_every_reconciliation_step_at_once(
    client, rectifier, head, django_capture_on_commit_callbacks
):
    """The list's counts are kept a few minutes (as the ledger's count), yet each step is counted at once."""
    url = reverse("reconciliation:list") + "?period=2026-Q1"
    reconciliation = signed(rectifier, disputed=False)
    client.force_login(head)
    before = client.get(url).content.decode()
    assert 'data-testid="count-confirmed">0<' in before
    assert 'data-testid="count-not-reconciled">1<' in before
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_by_department(actor=head, reconciliation_id=reconciliation.pk)
    after = client.get(url).content.decode()
    assert 'data-testid="count-confirmed">1<' in after
    assert 'data-testid="count-not-reconciled">0<' in after
