"""The one visibility rule (DESIGN.md section 5, written out in accounts/scope.py) applied to hazards.

Every list, detail page, download, export, task and API call fetches hazards through
`Hazard.objects.visible_to(user)`; a hazard outside it is a 404. Beyond the jurisdiction, a user
sees what they found, what an inspection they were on produced, what the responsibility chain
names them on, and (a rectifying unit) what is assigned to it.
"""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.scope import is_usable, jurisdiction_rule, sees_everything
from hazards.states import overdue_q
from inspections.models import Inspection


class HazardQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser | None) -> "HazardQuerySet":
        """The hazards this user may see; nothing for an anonymous or inactive user."""
        if not is_usable(user):
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

    def overdue(self, today: date | None = None) -> "HazardQuerySet":
        """Hazards whose deadline passed while the unit still has the work (hazards/states.py)."""
        return self.filter(overdue_q(today or timezone.localdate()))
