"""The one visibility rule (DESIGN.md section 5), as queryset methods.

Every list, detail page, download, export, task and API call fetches hazards through
`Hazard.objects.visible_to(user)` (and inspections through `Inspection.objects.visible_to(user)`,
the same rule on the same fields); a hazard outside it is a 404.

- provincial staff (and superusers) see everything;
- government and department users (inspectors, heads) see their region's subtree — a code prefix —
  limited to their body's industries (with sub-categories) unless the body is territorial
  (a party committee or a people's government);
- a rectifying unit sees what is assigned to it;
- anyone sees what they found, what an inspection they were on produced, and what the
  responsibility chain names them on.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

import hunan_safety.db  # noqa: F401  (registers the any_of lookup used below)
from accounts.roles import Role


def sees_everything(user) -> bool:
    return user.is_superuser or user.has_role(Role.PROVINCIAL_STAFF)


def jurisdiction_rule(user, *, region_field: str = "region__code", industry_field: str = "industry_id") -> Q | None:
    """Region subtree (a code prefix), limited to the body's industries unless it is territorial."""
    from hazards.models import Industry

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


def _is_usable(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class HazardQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HazardQuerySet":
        """The hazards this user may see; nothing for an anonymous or inactive user."""
        from inspections.models import Inspection

        if not _is_usable(user):
            return self.none()
        if sees_everything(user):
            return self.all()
        on_team = Inspection.inspectors.through.objects.filter(user_id=user.pk).values("inspection_id")
        named = self.model.named_users.through.objects.filter(user_id=user.pk).values("hazard_id")
        area = jurisdiction_rule(user)
        if area is None:
            # A narrow scope (a unit, a finder, people on a chain): the union of a few small sets,
            # each read from its own index, so that no page walks the whole ledger to find them.
            # (Unordered: SQLite refuses an ORDER BY inside a compound statement.)
            arms = [
                self.model.objects.filter(found_by=user).order_by().values("pk"),
                self.model.objects.filter(inspection_id__in=on_team).order_by().values("pk"),
                named.order_by(),
            ]
            if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
                arms.append(self.model.objects.filter(rectifying_unit_id=user.organization_id).order_by().values("pk"))
            return self.filter(pk__in=arms[0].union(*arms[1:], all=True))
        # A jurisdiction (a region's subtree, its industries) holds most of what the user sees: the
        # list walks its own order and tests each row cheaply — the region prefix and industries, and
        # hashed lookups in the user's inspections and chains (IN (subquery), built once per query).
        rule = area | Q(found_by=user) | Q(inspection_id__in=on_team) | Q(pk__in=named)
        if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
            rule |= Q(rectifying_unit_id=user.organization_id)
        return self.filter(rule)

    def overdue(self, today=None) -> "HazardQuerySet":
        from hazards.models import OPEN_WORK_STATES

        return self.filter(state__in=OPEN_WORK_STATES, deadline__lt=today or timezone.localdate())


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InspectionQuerySet":
        """Inspections this user may see: the same rule as hazards, on the inspection's own fields."""
        if not _is_usable(user):
            return self.none()
        if sees_everything(user):
            return self.all()
        on_team = self.model.inspectors.through.objects.filter(user_id=user.pk).values("inspection_id")
        rule = Q(created_by=user) | Q(pk__in=on_team)
        if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
            rule |= Q(unit_id=user.organization_id)
        area = jurisdiction_rule(user)
        if area is not None:
            rule |= area
        return self.filter(rule)
