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
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
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


# Up to this many of a user's inspections or chain entries are read out and given to the query as
# values; beyond, the rows are dense in the ledger and a hashed subquery tested in the page's order
# finds a page at once.
SMALL_SET = 2000


class AmongValues(Func):
    """`column = ANY(%s)`: a column among a list of keys, the list sent as one array parameter.

    The same test as `column__in=values`, but Django prepares an IN list value by value on every
    query it compiles (some 6 ms of a page for 2,000 inspections); the array is handed to the driver
    whole. Elsewhere than PostgreSQL, an IN list.
    """

    output_field = BooleanField()

    def __init__(self, name: str, values: list[int]):
        super().__init__(F(name))
        self.values = tuple(values)

    def __deepcopy__(self, memo: dict) -> "AmongValues":  # the keys never change: queryset clones share them
        return self.copy()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        if not self.values:
            return "FALSE", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, list(self.values)]
        return f"{column} IN ({', '.join(['%s'] * len(self.values))})", [*params, *self.values]


@dataclass(frozen=True)
class Arms:
    """The rule for one user as arms: a hazard is visible when any arm holds."""

    area: Q | None  # the jurisdiction: a region's subtree and its industries; None for a narrow scope
    found_by: Q
    on_team: QuerySet  # ids of the inspections the user was on
    named: QuerySet  # ids of the hazards whose chain names the user
    unit: Q | None  # a rectifying unit's own work

    @property
    def arms(self) -> list[Q]:
        return self._arms(self.on_team, self.named)

    def _arms(self, on_team: QuerySet | list[int], named: QuerySet | list[int]) -> list[Q]:
        arms = [self.found_by, _among("inspection_id", on_team), _among("id", named)]
        return [arm for arm in (self.area, *arms, self.unit) if arm is not None]

    def read_out(self) -> list[Q]:
        """The arms for a page: the user's inspections and chains as values when they are few (one query).

        Given as a subquery, a set the planner cannot size (an empty team, say) may be tested row by
        row down the ledger's order until a page is full — 9 s for a head on no inspection at a
        million hazards. Given as values, it is an index lookup on the hazard's own column. A large
        set stays a hashed subquery tested beside the jurisdiction, whose rows are dense in the
        ledger's order: alone, such an arm would walk far down the order to fill a page by itself.
        """
        tagged = self.on_team.annotate(arm=Value("team"))[: SMALL_SET + 1].union(
            self.named.annotate(arm=Value("named"))[: SMALL_SET + 1], all=True
        )
        ids: dict[str, list[int]] = {"team": [], "named": []}
        for row in tagged:  # {"inspection_id": …, "arm": …}: a union's rows keep its first part's names
            key, arm = row.values()
            ids[arm].append(key)
        on_team, named = [
            values if len(values) <= SMALL_SET else subquery
            for values, subquery in ((ids["team"], self.on_team), (ids["named"], self.named))
        ]
        arms = self._arms(on_team, named)
        if self.area is None:
            return arms
        large = [arm for arm, kept in zip(arms[2:4], (on_team, named), strict=True) if isinstance(kept, QuerySet)]
        small = [arm for arm in arms[1:] if arm not in large]
        return [functools.reduce(operator.or_, large, arms[0]), *small]


def _among(name: str, keys: QuerySet | list[int]) -> Q:
    """`name` among `keys`: a subquery as IN (subquery), values as one array (AmongValues)."""
    return Q(**{f"{name}__in": keys}) if isinstance(keys, QuerySet) else Q(AmongValues(name, keys))


def rule_inputs(user: User) -> tuple[Any, ...]:
    """Everything about the user that `visible_to` reads: two users with equal inputs get the same SQL.

    It keys what is compiled once per rule (hazards/selectors.py `visible_hazard`): whatever the rule
    reads of a user must be here too (tests/hazards/test_visible_hazard.py checks, persona by persona
    and as a user's body or roles change, that it answers as `visible_to` does).
    """
    region = user.jurisdiction
    organization = user.organization
    return (
        user.pk,
        is_usable(user),
        user.is_superuser,
        user.role_names,
        region.scope_prefix if region is not None else None,
        user.organization_id,
        organization.kind if organization is not None else None,
    )


def visibility_arms(user: User) -> Arms | None:
    """The rule as its arms; None when the user sees everything.

    Each arm is narrow enough for an index of its own (the region prefix and industries, the
    finder, the inspection, the chain, the rectifying unit). `visible_to` ORs them (or unions their
    keys); the ledger's pages also read each arm in the page's order with its own LIMIT and merge
    them (hazards/listing.py), so that no page tests a whole region's rows against every arm.
    """
    if sees_everything(user):
        return None
    return Arms(
        area=jurisdiction_rule(user),
        found_by=Q(found_by=user),
        on_team=Inspection.inspectors.through.objects.filter(user_id=user.pk).values("inspection_id"),
        named=User.hazards_named.through.objects.filter(user_id=user.pk).values("hazard_id"),
        unit=Q(rectifying_unit_id=user.organization_id)
        if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id
        else None,
    )
