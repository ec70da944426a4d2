"""The one visibility rule (DESIGN.md section 5, written out in accounts/scope.py) applied to hazards.

Every list, detail page, download, export, task and API call fetches hazards through
`Hazard.objects.visible_to(user)`; a hazard outside it is a 404. Beyond the jurisdiction, a user
sees what they found, what an inspection they were on produced, what the responsibility chain
names them on, and (a rectifying unit) what is assigned to it.
"""

import functools
import operator
from dataclasses import dataclass
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
        scope = visibility_arms(user)
        if scope is None:
            return self.all()
        if scope.area is None:
            # A narrow scope (a unit, a finder, people on a chain): the union of a few small sets,
            # each read from its own index, so that no page walks the whole ledger to find them.
            # (Unordered: SQLite refuses an ORDER BY inside a compound statement.)
            keys = [self.model.objects.filter(arm).order_by().values("pk") for arm in scope.arms]
            return self.filter(pk__in=keys[0].union(*keys[1:], all=True))
        # A jurisdiction (a region's subtree, its industries) holds most of what the user sees: the
        # list walks its own order and tests each row cheaply — the region prefix and industries, and
        # hashed lookups in the user's inspections and chains (IN (subquery), built once per query).
        return self.filter(functools.reduce(operator.or_, scope.arms))

    def overdue(self, today: date | None = None) -> "HazardQuerySet":
        """Hazards whose deadline passed while the unit still has the work (hazards/states.py)."""
        return self.filter(overdue_q(today or timezone.localdate()))


@dataclass(frozen=True)
class Arms:
    """The rule for one user as arms: a hazard is visible when any arm holds."""

    arms: list[Q]
    area: Q | None  # the jurisdiction's arm (also in `arms`), None for a narrow scope


def visibility_arms(user: User) -> Arms | None:
    """The rule as its arms; None when the user sees everything.

    Each arm is narrow enough for an index of its own (the region prefix and industries, the
    finder, the inspection, the chain, the rectifying unit). `visible_to` ORs them (or unions their
    keys); the ledger's pages also read each arm in the page's order with its own LIMIT and merge
    them (hazards/listing.py), so that no page tests a whole region's rows against every arm.
    """
    if sees_everything(user):
        return None
    on_team = Inspection.inspectors.through.objects.filter(user_id=user.pk).values("inspection_id")
    named = User.hazards_named.through.objects.filter(user_id=user.pk).values("hazard_id")
    area = jurisdiction_rule(user)
    arms = [Q(found_by=user), Q(inspection_id__in=on_team), Q(pk__in=named)]
    if area is not None:
        arms.insert(0, area)
    if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
        arms.append(Q(rectifying_unit_id=user.organization_id))
    return Arms(arms=arms, area=area)
