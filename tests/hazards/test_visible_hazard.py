"""The detail page's read (hazards/selectors.py `visible_hazard`): the one visibility rule, compiled once
per distinct input of the rule, sees exactly what `Hazard.objects.visible_to` sees — and follows a user
whose scope changes."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from hazards.models import Hazard
from hazards.selectors import visible_hazard
from tests.factories import HazardFactory, OrganizationFactory, UserFactory, industry, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def nobody(db):
    department = OrganizationFactory(name="浏阳市某局", region=region("430181"), industries=["fireworks"])
    return UserFactory(username="nobody", organization=department)


@pytest.fixture
def hazards(rectifier, inspector):
    return [
        HazardFactory(),  # 浏阳市 fireworks
        HazardFactory(industry=industry("construction-housing")),
        HazardFactory(region=region("430102"), industry=industry("fireworks-wholesale")),  # 长沙 芙蓉区
        HazardFactory(region=region("430281")),  # 株洲 醴陵市
        HazardFactory(
            rectifying_unit=rectifier.organization,
            state=Hazard.State.ASSIGNED,
            deadline=timezone.localdate() + timedelta(days=30),
        ),
        HazardFactory(found_by=inspector, region=region("430281"), industry=industry("construction-housing")),
    ]


def fresh(user: User) -> User:
    """The user as a new request loads them."""
    return User.objects.select_related("region", "organization__region").get(pk=user.pk)


@pytest.mark.parametrize("name", ["head", "inspector", "rectifier", "province", "administrator", "nobody"])
def test_it_sees_what_the_rule_sees(request, hazards, name):
    user = fresh(request.getfixturevalue(name))
    expected = set(Hazard.objects.visible_to(user).values_list("pk", flat=True))
    assert bool(expected) == (name != "nobody")
    for hazard in hazards:
        found = visible_hazard(user, hazard.pk)
        assert (found is not None) == (hazard.pk in expected), f"{name} × {hazard.title}"
        if found is not None:
            assert (found.pk, found.number, found.region.parent.name) == (
                hazard.pk,
                hazard.number,
                hazard.region.parent.name,
            )


def test_a_user_moved_to_another_body_sees_by_the_new_scope(head, hazards):
    changsha_fireworks = hazards[2]
    assert visible_hazard(fresh(head), changsha_fireworks.pk) is not None
    # Moved to 株洲市's department: the compiled read of the old scope is not theirs any more.
    head.organization = OrganizationFactory(name="株洲市应急管理局", region=region("430200"), industries=["fireworks"])
    head.region = region("430200")
    head.save()
    assert visible_hazard(fresh(head), changsha_fireworks.pk) is None
    assert visible_hazard(fresh(head), hazards[3].pk) is not None  # 醴陵市, in 株洲市


def test_a_user_who_loses_a_role_or_is_deactivated_stops_seeing(head, hazards):
    changsha_fireworks = hazards[2]
    assert visible_hazard(fresh(head), changsha_fireworks.pk) is not None
    head.groups.clear()
    assert visible_hazard(fresh(head), changsha_fireworks.pk) is None
    head.groups.add(Group.objects.get(name=Role.DEPARTMENT_HEAD))
    assert visible_hazard(fresh(head), changsha_fireworks.pk) is not None
    head.is_active = False
    head.save()
    assert visible_hazard(fresh(head), changsha_fireworks.pk) is None


def test_the_rule_is_checked_by_the_database_on_every_read(inspector, hazards):
    """What the user's rows say (their inspections, their chains) is read live, never kept."""
    outside = hazards[3]  # 株洲 醴陵市: outside the county inspector's area
    user = fresh(inspector)
    assert visible_hazard(user, outside.pk) is None
    outside.named_users.add(inspector)  # named on its chain
    assert visible_hazard(user, outside.pk) is not None
