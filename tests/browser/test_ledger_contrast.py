"""Walk of issue 13 (item 8, axe-core on the ledger with real data): an overdue hazard's row is tinted
red, and its ledger-number link kept Bootstrap's blue: 3.36:1 on the tint, under the 4.5:1 bar. The
accessibility test's scene had no overdue hazard; the demo has hundreds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hazards.models import Hazard
from tests.browser.test_accessibility import sign_in, violations
from tests.factories import HazardFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_an_overdue_row_keeps_its_links_readable(live_server, browser, inspector, rectifier, width):
    HazardFactory(
        found_by=inspector,
        found_on=timezone.localdate() - timedelta(days=40),
        state=Hazard.State.ASSIGNED,
        rectifying_unit=rectifier.organization,
        deadline=timezone.localdate() - timedelta(days=5),
    )
    context, page = sign_in(browser, live_server, "inspector", width)

    page.goto(f"{live_server.url}/hazards/")
    overdue_rows = page.locator("tr.overdue").count()
    found = violations(page)
    context.close()

    assert overdue_rows == 1
    assert not found, "\n".join(found)
