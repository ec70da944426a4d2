"""Issue 13 item 2: a campaign's state comes from its dates, and a visit is filed under a campaign
only on a day the campaign runs — in the form, and in the service whoever calls it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from hazards import workflow
from hazards.inspection_forms import InspectionForm
from inspections.models import Campaign, Inspection
from tests.factories import industry, region
from tests.hazards.test_recording import finding_data
from tests.inspections.factories import CampaignFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]  # today: 2026-06-15


@pytest.fixture
def campaigns():
    return {
        "ended": CampaignFactory(
            name="2025年打非治违专项行动", start_date=date(2025, 3, 1), end_date=date(2025, 6, 30)
        ),
        "running": CampaignFactory(name="2026年安全生产月", start_date=date(2026, 6, 1), end_date=date(2026, 6, 30)),
        "planned": CampaignFactory(name="2026年国庆节前检查", start_date=date(2026, 9, 15), end_date=date(2026, 10, 7)),
    }


def test_the_state_of_a_campaign_comes_from_its_dates(campaigns):
    assert {key: campaign.state for key, campaign in campaigns.items()} == {
        "ended": Campaign.State.ENDED,
        "running": Campaign.State.IN_PROGRESS,
        "planned": Campaign.State.PLANNED,
    }
    # The first and last days belong to the campaign.
    assert campaigns["running"].state_on(date(2026, 6, 1)) == campaigns["running"].state_on(date(2026, 6, 30))


def test_an_ended_campaign_says_so_on_its_pages_and_comes_after_the_running_ones(client, campaigns, province):
    client.force_login(province)

    listing = client.get("/inspections/campaigns/")
    detail = client.get(f"/inspections/campaigns/{campaigns['ended'].pk}/").content.decode()

    assert list(listing.context["page_obj"].object_list) == [campaigns[k] for k in ("running", "planned", "ended")]
    assert 'data-campaign-state="ended"' in detail and "已结束" in detail
    assert "进行中" not in detail


def inspection_form(inspector, campaign, inspected_on):
    return InspectionForm(
        {
            "inspected_on": inspected_on.isoformat(),
            "region": "430181",
            "site_name": "浏阳某烟花零售点",
            "industry": industry("fireworks-retail").pk,
            "campaign": campaign.pk,
        },
        user=inspector,
    )


def test_recording_refuses_a_visit_dated_outside_the_campaign_and_says_its_period(inspector, campaigns):
    form = inspection_form(inspector, campaigns["ended"], date(2026, 6, 15))

    assert not form.is_valid()
    [message] = form.errors["campaign"]
    assert "2025-03-01" in message and "2025-06-30" in message and "2026-06-15" in message


def test_a_visit_made_while_a_campaign_ran_may_still_be_filed_under_it(inspector, campaigns):
    assert inspection_form(inspector, campaigns["ended"], date(2025, 6, 30)).is_valid()
    assert inspection_form(inspector, campaigns["running"], date(2026, 6, 15)).is_valid()


def test_a_planned_campaign_is_not_offered_for_recording(inspector, campaigns):
    offered = set(InspectionForm(user=inspector).fields["campaign"].queryset)
    assert offered == {campaigns["ended"], campaigns["running"]}


def test_the_service_refuses_it_too(inspector, campaigns):
    inspection = Inspection(
        inspected_on=date(2026, 6, 15),
        region=region("430181"),
        site_name="浏阳某烟花零售点",
        industry=industry("fireworks-retail"),
        campaign=campaigns["ended"],
    )
    with pytest.raises(ValidationError) as refused:
        workflow.record_inspection(actor=inspector, inspection=inspection, team=[], findings=[])
    assert "campaign" in refused.value.message_dict
    assert not Inspection.objects.exists()


def test_a_finding_logged_on_its_own_is_refused_under_a_campaign_that_was_not_running(client, inspector, campaigns):
    client.force_login(inspector)

    response = client.post("/hazards/new/", finding_data(campaign=campaigns["ended"].pk))

    assert response.status_code == 200
    assert "2025-06-30" in " ".join(response.context["form"].errors["campaign"])
    assert client.post("/hazards/new/", finding_data(campaign=campaigns["running"].pk)).status_code == 302
