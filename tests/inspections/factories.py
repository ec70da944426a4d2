"""Factories of campaigns, inspections and hazards for the inspection pages' tests."""

from datetime import date

import factory

from inspections.models import Campaign, Inspection
from tests.factories import HazardFactory as BaseHazardFactory
from tests.factories import UserFactory, industry, region


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"专项行动{n}")
    kind = Campaign.Kind.KEY_INDUSTRIES
    start_date = date(2026, 1, 1)
    end_date = date(2026, 12, 31)

    @factory.post_generation
    def industries(self, create, codes, **kwargs):
        if create and codes:
            self.industries.set([industry(code) for code in codes])

    @factory.post_generation
    def regions(self, create, codes, **kwargs):
        if create and codes:
            self.regions.set([region(code) for code in codes])


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    inspected_on = date(2026, 3, 1)
    region = factory.LazyFunction(lambda: region("430181"))
    site_name = factory.Sequence(lambda n: f"检查地点{n}")
    industry = factory.LazyFunction(lambda: industry("fireworks-production"))
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def inspectors(self, create, users, **kwargs):
        if create and users:
            self.inspectors.set(users)


class HazardFactory(BaseHazardFactory):
    """A finding of the inspection pages' tests, numbered as the workflow numbers one."""

    title = factory.Sequence(lambda n: f"隐患{n}")
    description = "安全出口堵塞"
    site_name = "某地"
    found_on = date(2026, 3, 1)
