"""Choices a user may pick when recording: counties, industries and units within their scope."""

from django.db.models import QuerySet

from accounts.models import Organization, Region
from hazards.models import Industry
from hazards.visibility import sees_everything


def counties_for(user) -> QuerySet[Region]:
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if sees_everything(user):
        return counties
    region = user.jurisdiction
    if region is None:
        return counties.none()
    return counties.filter(code__startswith=region.scope_prefix)


def industries_for(user) -> QuerySet[Industry]:
    industries = Industry.objects.filter(is_active=True).select_related("parent")
    organization = user.organization
    if sees_everything(user) or organization is None or organization.is_territorial:
        return industries
    return industries.filter(id__in=Industry.with_descendants(organization.industries.values_list("id", flat=True)))


def units_for(user) -> QuerySet[Organization]:
    """Units a finding may name: active organisations in the user's counties."""
    units = Organization.objects.filter(is_active=True).select_related("region")
    if sees_everything(user):
        return units
    region = user.jurisdiction
    if region is None:
        return units.none()
    return units.filter(region__code__startswith=region.scope_prefix)
