"""A small duty world: the 长沙市 bureau (the head's) on duty above the 浏阳市 county (the inspector's)."""

from datetime import date

from django.utils import timezone

from accounts.models import Organization
from accounts.roles import Role
from emergency.duty import put_shift
from emergency.models import DutyShift
from tests.factories import OrganizationFactory, PostFactory, UserFactory, region


def duty_officer(organization: Organization, username: str):
    return UserFactory(username=username, organization=organization, roles=[Role.DUTY_OFFICER])


def shift(
    organization: Organization, day: date, *, leader=None, officers=(), kind=DutyShift.Kind.FULL_DAY
) -> DutyShift:
    return put_shift(organization, day, kind=kind, leading_cadre=leader, officers=officers, phone="0731-12345678")


def city_on_duty_today(head):
    """The head leads today's 24-hour shift of 长沙市应急管理局 with one duty officer."""
    officer = duty_officer(head.organization, "city-officer")
    today = timezone.localdate()
    # 08:30 today to 08:30 tomorrow covers 10:00 of the frozen day.
    return shift(head.organization, today, leader=head, officers=[officer]), officer


def province_on_duty_today(province):
    officer = duty_officer(province.organization, "province-officer")
    leader = UserFactory(username="province-leader", organization=province.organization, roles=[Role.PROVINCIAL_STAFF])
    return shift(province.organization, timezone.localdate(), leader=leader, officers=[officer]), officer, leader


def county_government():
    return OrganizationFactory(name="浏阳市人民政府", kind=Organization.Kind.GOVERNMENT, region=region("430181"))


def principal_of(body):
    return PostFactory(organization=body, title="市长", duty="principal").holder
