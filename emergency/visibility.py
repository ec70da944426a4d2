"""The one visibility rule, for the emergency registers: by region, like the ledger.

Duty and emergency work is territorial: a county's bureau sees its county, a city's the city and
its counties, provincial staff the province. Industry portfolios do not narrow it (a fire at a
chemical plant is the duty room's business whoever supervises chemicals). A unit (an enterprise's
own users) sees only its own plans and drills, and nothing of the duty rooms.
"""

from typing import TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from accounts.models import Region, User
from accounts.roles import Role
from accounts.scope import is_usable, sees_everything

_Row = TypeVar("_Row", bound=models.Model)

# Roles that work in a jurisdiction (a region subtree) rather than for one unit.
TERRITORIAL_ROLES = (Role.INSPECTOR, Role.DEPARTMENT_HEAD, Role.DUTY_OFFICER)


def duty_region(user: User) -> Region | None:
    """The region whose duty work the user sees, or None for a unit's user (and the unusable)."""
    if not any(user.has_role(role) for role in TERRITORIAL_ROLES):
        return None
    return user.jurisdiction


def is_duty_user(user) -> bool:
    """Anyone who sees some duty room: provincial staff and government users with a jurisdiction."""
    return is_usable(user) and (sees_everything(user) or duty_region(user) is not None)


def in_duty_scope(rows: QuerySet[_Row], user, *, code_field: str) -> QuerySet[_Row]:
    """The rows whose region code (`code_field`) lies in the user's duty region; none for others."""
    if not is_usable(user):
        return rows.none()
    if sees_everything(user):
        return rows
    region = duty_region(user)
    if region is None:
        return rows.none()
    return rows.filter(**{f"{code_field}__startswith": region.scope_prefix})


def plans_visible_to(rows: QuerySet[_Row], user, *, organization_field: str = "organization") -> QuerySet[_Row]:
    """Plans (drills: `organization_field="plan__organization"`): the duty scope, plus a unit's own."""
    if not is_usable(user):
        return rows.none()
    if sees_everything(user):
        return rows
    rule = Q(**{f"{organization_field}_id": user.organization_id}) if user.organization_id else Q(pk__in=[])
    region = duty_region(user)
    if region is not None:
        rule |= Q(**{f"{organization_field}__region__code__startswith": region.scope_prefix})
    return rows.filter(rule)


def is_above(user: User, region: Region) -> bool:
    """The user works at a level above `region` whose subtree holds it: the one who acknowledges."""
    if sees_everything(user):
        return True
    own = duty_region(user)
    return own is not None and own.code != region.code and region.code.startswith(own.scope_prefix)
