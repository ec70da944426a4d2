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

from typing import Any, TypeGuard, TypeVar

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


def _jurisdiction(user: User) -> tuple[str, Organization] | None:
    """The region prefix and body of an inspector's or head's jurisdiction; None for anyone else."""
    if not (user.has_role(Role.INSPECTOR) or user.has_role(Role.DEPARTMENT_HEAD)):
        return None
    region = user.jurisdiction
    organization = user.organization
    if region is None or organization is None:
        return None
    return region.scope_prefix, organization


def jurisdiction_rule(
    user: User, *, region_field: str = "region__code", industry_field: str = "industry_id"
) -> Q | None:
    """Region subtree (a code prefix), limited to the body's industries unless it is territorial."""
    jurisdiction = _jurisdiction(user)
    if jurisdiction is None:
        return None
    prefix, organization = jurisdiction
    area = Q(**{f"{region_field}__startswith": prefix})
    if organization.is_territorial:
        return area
    return area & Q(**{f"{industry_field}__any_of": _portfolio(organization)})


def _portfolio(organization: Organization) -> QuerySet[Industry, Any]:
    """The body's industries with their sub-categories (two levels), as a subquery run once inside
    the page's own query rather than two round trips before it."""
    portfolio = organization.industries.values("pk")
    return Industry.objects.filter(Q(pk__in=portfolio) | Q(parent__in=portfolio)).values("pk")


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


def register_for(user: User | AnonymousUser | None) -> QuerySet[Organization]:
    """The units of the register (企业/单位台账) this user may see: the same rule, on a unit's own fields.

    Provincial staff see every unit; inspectors and heads the units of their region's subtree, limited
    to those operating in their body's industries unless the body is territorial; a unit's own users
    see their unit only. Anyone else sees none.
    """
    units = Organization.objects.filter(kind__in=Organization.REGISTER_KINDS)
    if not is_usable(user):
        return units.none()
    if sees_everything(user):
        return units
    rules = []
    if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
        rules.append(Q(pk=user.organization_id))
    jurisdiction = _jurisdiction(user)
    if jurisdiction is not None:
        prefix, organization = jurisdiction
        area = Q(region__code__startswith=prefix)
        if not organization.is_territorial:
            # A unit operates in several industries: it is in the body's portfolio when any of them is.
            operating_in = Organization.industries.through.objects.filter(industry_id__in=_portfolio(organization))
            area &= Q(pk__in=operating_in.values("organization_id"))
        rules.append(area)
    if not rules:
        return units.none()
    rule = rules[0]
    for other in rules[1:]:
        rule |= other
    return units.filter(rule)
