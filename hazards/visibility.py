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
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

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
    industry_ids = (
        Industry.with_descendants(organization.industries.values_list("id", flat=True)) if organization else set()
    )
    return area & Q(**{f"{industry_field}__in": industry_ids}) if industry_ids else None


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
        on_team = Inspection.inspectors.through.objects.filter(inspection_id=OuterRef("inspection_id"), user_id=user.pk)
        named = self.model.named_users.through.objects.filter(hazard_id=OuterRef("pk"), user_id=user.pk)
        rule = Q(found_by=user) | Q(Exists(on_team)) | Q(Exists(named))
        if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
            rule |= Q(rectifying_unit_id=user.organization_id)
        area = jurisdiction_rule(user)
        if area is not None:
            rule |= area
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
        on_team = self.model.inspectors.through.objects.filter(inspection_id=OuterRef("pk"), user_id=user.pk)
        rule = Q(created_by=user) | Q(Exists(on_team))
        if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
            rule |= Q(unit_id=user.organization_id)
        area = jurisdiction_rule(user)
        if area is not None:
            rule |= area
        return self.filter(rule)
