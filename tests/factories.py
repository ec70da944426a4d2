"""factory_boy factories and the named personas of the tests.

Regions and industries are reference data loaded by migrations: factories pick them, never make them.
"""

import itertools

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.credit_codes import build_credit_code
from accounts.models import Industry, Organization, Post, Region, User
from accounts.roles import Role
from hazards.models import LedgerSequence

PASSWORD = "correct-horse-battery"
_serials = itertools.count(20000001)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def industry(code: str) -> Industry:
    return Industry.objects.get(code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Organization.Kind.DEPARTMENT
    region = factory.LazyFunction(lambda: region("430181"))

    @factory.post_generation
    def industries(self, create, codes, **kwargs):
        if create and codes:
            self.industries.set([industry(code) for code in codes])


class EnterpriseFactory(OrganizationFactory):
    kind = Organization.Kind.ENTERPRISE
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.LazyAttribute(lambda o: build_credit_code(region_code=o.region.code, serial=next(_serials)))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"三{n}")
    organization = factory.SubFactory(OrganizationFactory)
    region = factory.LazyAttribute(lambda o: o.organization.region)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, roles, **kwargs):
        if create and roles:
            self.groups.set([Group.objects.get(name=role) for role in roles])
        if create:
            self.save()


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"副县长{n}")
    duty = Post.Duty.PORTFOLIO_LEAD
    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.GOVERNMENT)
    region = factory.LazyAttribute(lambda o: o.organization.region)
    holder = factory.SubFactory(UserFactory)

    @factory.post_generation
    def industries(self, create, codes, **kwargs):
        if create and codes:
            self.industries.set([industry(code) for code in codes])


def persona(name: str) -> User:
    """The personas of DESIGN.md, with scopes that differ the way the demo's do."""
    if name == "inspector":
        department = OrganizationFactory(
            name="浏阳市应急管理局", region=region("430181"), industries=["fireworks", "hazardous-chemicals"]
        )
        return UserFactory(username="inspector", organization=department, roles=[Role.INSPECTOR])
    if name == "head":
        department = OrganizationFactory(
            name="长沙市应急管理局", region=region("430100"), industries=["fireworks", "hazardous-chemicals"]
        )
        return UserFactory(username="head", organization=department, roles=[Role.DEPARTMENT_HEAD])
    if name == "rectifier":
        enterprise = EnterpriseFactory(
            name="浏阳测试烟花有限公司", region=region("430181"), industries=["fireworks-production"]
        )
        return UserFactory(username="rectifier", organization=enterprise, roles=[Role.RECTIFYING_UNIT])
    if name == "province":
        department = OrganizationFactory(name="湖南省应急管理厅", region=region("430000"))
        return UserFactory(username="province", organization=department, roles=[Role.PROVINCIAL_STAFF])
    if name == "admin":
        department = OrganizationFactory(name="湖南省应急管理厅信息中心", region=region("430000"))
        return UserFactory(
            username="admin", organization=department, roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True
        )
    raise ValueError(f"no persona {name!r}")


class HazardFactory(factory.django.DjangoModelFactory):
    """A reported finding in 浏阳市 (430181), fireworks production, found by a new inspector."""

    class Meta:
        model = "hazards.Hazard"

    title = factory.Sequence(lambda n: f"烟花爆竹生产车间超员超量 {n}")
    description = "工房内药物存量超过核定药量，作业人员超过定员。"
    industry = factory.LazyFunction(lambda: industry("fireworks-production"))
    region = factory.LazyFunction(lambda: region("430181"))
    site_name = "某烟花厂"
    found_on = factory.LazyFunction(timezone.localdate)
    found_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The workflow numbers a finding as it puts it on the ledger; a factory-made one is numbered the same way.
        if not kwargs.get("number"):
            kwargs["number"] = LedgerSequence.next_number(
                region_code=kwargs["region"].code, year=kwargs["found_on"].year
            )
        return super()._create(model_class, *args, **kwargs)
