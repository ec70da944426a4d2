"""The chat robot's signing secret is typed in by an administrator and never shown back in full."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from accounts.admin import OrganizationAdminForm
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db

SECRET = "SEC9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture
def works():
    return EnterpriseFactory(
        name="加签机器人测试厂",
        region=region("430181"),
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t",
        robot_vendor="dingtalk",
        robot_secret=SECRET,
    )


def form_data(works, **changes) -> dict:
    data = {key: value for key, value in model_to_dict(works).items() if value is not None}
    data["industries"] = [industry.pk for industry in works.industries.all()]
    data.pop("robot_secret")
    return {**data, **changes}


def test_the_change_page_shows_only_a_masked_secret(client, administrator, works):
    client.force_login(administrator)
    page = client.get(reverse("admin:accounts_organization_change", args=[works.pk])).content.decode()
    assert SECRET not in page
    assert SECRET[20:40] not in page
    assert f"SEC…{SECRET[-4:]}" in page  # its prefix and last four characters, to tell which it is


def test_the_change_page_is_not_for_a_unit_user(client, rectifier, works):
    client.force_login(rectifier)
    response = client.get(reverse("admin:accounts_organization_change", args=[works.pk]))
    assert response.status_code == 302 and SECRET not in response.content.decode()


def test_saving_without_typing_the_secret_keeps_it(works):
    form = OrganizationAdminForm(instance=works, data=form_data(works, name="加签机器人测试厂（改名）"))
    assert form.is_valid(), form.errors
    form.save()
    works.refresh_from_db()
    assert (works.name, works.robot_secret) == ("加签机器人测试厂（改名）", SECRET)


def test_a_typed_secret_replaces_it_and_the_box_removes_it(works):
    form = OrganizationAdminForm(instance=works, data=form_data(works, robot_secret="  SECnew0000111122223333  "))
    assert form.is_valid(), form.errors
    form.save()
    works.refresh_from_db()
    assert works.robot_secret == "SECnew0000111122223333"

    form = OrganizationAdminForm(instance=works, data=form_data(works, clear_robot_secret="on"))
    assert form.is_valid(), form.errors
    form.save()
    works.refresh_from_db()
    assert works.robot_secret == ""
