"""The admin of campaigns and inspections: searchable, and nothing can be deleted."""

import pytest

from tests.inspections.factories import CampaignFactory, InspectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(db):
    return InspectionFactory(campaign=CampaignFactory(regions=["430100"], industries=["fireworks"]))


def test_the_admin_pages_open(client, administrator, inspection):
    client.force_login(administrator)
    campaign = inspection.campaign
    for path in [
        "/admin/inspections/campaign/?q=专项",
        "/admin/inspections/inspection/?q=检查地点",
        "/admin/inspections/campaign/add/",
        "/admin/inspections/inspection/add/",
        f"/admin/inspections/campaign/{campaign.pk}/change/",
        f"/admin/inspections/inspection/{inspection.pk}/change/",
    ]:
        assert client.get(path).status_code == 200, path


def test_nothing_is_deleted_from_the_admin(client, administrator, inspection):
    client.force_login(administrator)
    assert client.get(f"/admin/inspections/inspection/{inspection.pk}/delete/").status_code == 403
    assert client.get(f"/admin/inspections/campaign/{inspection.campaign.pk}/delete/").status_code == 403
    assert "delete_selected" not in client.get("/admin/inspections/inspection/").content.decode()
