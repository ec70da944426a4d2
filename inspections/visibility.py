"""The one visibility rule (DESIGN.md section 5, accounts/scope.py) applied to inspections' own fields."""

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q

from accounts.models import User
from accounts.roles import Role
from accounts.scope import is_usable, jurisdiction_rule, sees_everything


class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser | None) -> "InspectionQuerySet":
        """Inspections this user may see: the same rule as hazards, on the inspection's own fields."""
        if not is_usable(user):
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
