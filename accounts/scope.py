"""The one visibility rule (DESIGN.md section 5): its parts that depend on who the user is.

Every list, detail page, download, export, task and API call fetches hazards through
`Hazard.objects.visible_to(user)` (hazards/visibility.py) and inspections through
`Inspection.objects.visible_to(user)` (inspections/visibility.py): both build on the pieces here, so
the rule is written once; a row outside it is a 404. The choices a user may pick when recording
(counties, industries, units) come from the same scope.

- provincial staff (and superusers) see everything;
- government and department users (inspectors, heads) see their region's subtree — a code prefix —
  limited to their body's industries (with sub-categories) unless the body is territorial
  (a party committee or a people's government);
- a rectifying unit sees what is assigned to it;
- anyone sees what they found, what an inspection they were on produced, and what the
  responsibility chain names them on.
"""

from typing import TypeGuard, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q, QuerySet

import hunan_safety.db  # noqa: F401  (registers the any_of lookup used below)
from accounts.models import Industry, Organization, Region, User
from accounts.roles import Role

_Row = TypeVar("_Row", bound=models.Model)


def sees_everything(user: User) -> bool:
    """Provincial staff and superusers: no scope applies to them."""
    return user.is_superuser or user.has_role(Role.PROVINCIAL_STAFF)


def jurisdiction_rule(
    user: User, *, region_field: str = "region__code", industry_field: str = "industry_id"
) -> Q | None:
    """Region subtree (a code prefix), limited to the body's industries unless it is territorial."""
    if not (user.has_role(Role.INSPECTOR) or user.has_role(Role.DEPARTMENT_HEAD)):
        return None
    region = user.jurisdiction
    if region is None:
        return None
    area = Q(**{f"{region_field}__startswith": region.scope_prefix})
    organization = user.organization
    if organization is not None and organization.is_territorial:
        return area
    if organization is None:
        return None
    # The body's industries with their sub-categories (two levels), as a subquery run once inside
    # the page's own query rather than two round trips before it.
    portfolio = organization.industries.values("pk")
    industries = Industry.objects.filter(Q(pk__in=portfolio) | Q(parent__in=portfolio)).values("pk")
    return area & Q(**{f"{industry_field}__any_of": industries})


def is_usable(user: User | AnonymousUser | None) -> TypeGuard[User]:
    """A signed-in, active user: the only kind the rule lets see anything."""
    return bool(user and user.is_authenticated and user.is_active)


def _in_jurisdiction(rows: QuerySet[_Row], user: User, *, code_field: str) -> QuerySet[_Row]:
    """The rows whose region code (`code_field`) lies in the user's jurisdiction; all for provincial staff."""
    if sees_everything(user):
        return rows
    region = user.jurisdiction
    if region is None:
        return rows.none()
    return rows.filter(**{f"{code_field}__startswith": region.scope_prefix})


def counties_for(user: User) -> QuerySet[Region]:
    """Counties a finding may be recorded in: those of the user's jurisdiction."""
    return _in_jurisdiction(Region.objects.filter(level=Region.Level.COUNTY), user, code_field="code")


def industries_for(user: User) -> QuerySet[Industry]:
    """Active industries a finding may be filed under: the body's portfolio unless it is territorial."""
    industries = Industry.objects.filter(is_active=True).select_related("parent")
    organization = user.organization
    if sees_everything(user) or organization is None or organization.is_territorial:
        return industries
    return industries.filter(id__in=Industry.with_descendants(organization.industries.values_list("id", flat=True)))


def units_for(user: User) -> QuerySet[Organization]:
    """Units a finding may name: active organisations in the user's counties."""
    units = Organization.objects.filter(is_active=True).select_related("region")
    return _in_jurisdiction(units, user, code_field="region__code")
