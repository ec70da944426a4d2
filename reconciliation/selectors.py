"""Reads of reconciliations, always within the register the user may see (`accounts.scope.register_for`)."""

import uuid

from django.core.cache import cache
from django.db.models import Count, Exists, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Organization, User
from accounts.roles import Role
from accounts.scope import register_for
from reconciliation.models import Reconciliation, ReconciliationItem
from reconciliation.periods import Period, units_reconciling

NOT_STARTED = "not_started"
NOT_RECONCILED = "not_reconciled"
DISPUTES = "disputes"  # signed by the unit with disputed items: the department's task


def units_for_period(user: User, period: Period) -> QuerySet[Organization]:
    """The units (not closed) the user may see that reconcile by this kind of period, with their status for it.

    The period's reconciliation is joined (at most one per unit and period: a unique constraint), so
    that the list, its counts and its status filter read it in one hash join rather than a probe per unit.
    """
    units = units_reconciling(register_for(user).exclude(status=Organization.Status.CLOSED), period.kind)
    disputed = (
        ReconciliationItem.objects.filter(
            reconciliation__unit_id=OuterRef("pk"), reconciliation__period=period.code, answer="disputed"
        )
        .order_by()
        .values("reconciliation_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return units.annotate(
        of_period=FilteredRelation("reconciliations", condition=Q(reconciliations__period=period.code)),
        reconciliation_id=F("of_period__pk"),
        reconciliation_state=F("of_period__state"),
        unit_confirmed_at=F("of_period__unit_confirmed_at"),
        disputed=Coalesce(Subquery(disputed, output_field=IntegerField()), 0),
    )


def with_status(units: QuerySet[Organization], status: str) -> QuerySet[Organization]:
    """Narrow the list to one status: a reconciliation state, not started, or not reconciled (not yet confirmed)."""
    if status == NOT_STARTED:
        return units.filter(Q(reconciliation_state__isnull=True))
    if status == DISPUTES:
        return units.filter(Q(reconciliation_state=Reconciliation.State.UNIT_CONFIRMED) & Q(disputed__gt=0))
    if status == NOT_RECONCILED:
        return units.filter(
            ~Q(reconciliation_state=Reconciliation.State.CONFIRMED) | Q(reconciliation_state__isnull=True)
        )
    if status in Reconciliation.State.values:
        return units.filter(Q(reconciliation_state=status))
    return units


def status_counts(units: QuerySet[Organization]) -> dict[str, int]:
    """How many units of the list stand at each status (one grouped query)."""
    # (`units` comes from units_for_period, which annotates the state; the type checker cannot follow it.)
    rows = units.order_by().values("reconciliation_state").annotate(count=Count("pk"))  # type: ignore[misc]
    counts = {row["reconciliation_state"] or NOT_STARTED: row["count"] for row in rows}
    counts[NOT_RECONCILED] = sum(count for state, count in counts.items() if state != Reconciliation.State.CONFIRMED)
    return counts


COUNTS_SECONDS = 300
GENERATION_KEY = "reconciliation:counts-generation"


def kept_status_counts(user: User, period: Period, units: QuerySet[Organization]) -> dict[str, int]:
    """`status_counts` of the user's list for a period, counted once and kept COUNTS_SECONDS, as the ledger's count.

    Every write of a reconciliation (`services`) starts a new generation, so the counts are always
    those of the reconciliations as they are; a unit added to the register is counted when they expire.
    """
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY, "")
    key = f"reconciliation:counts:{generation}:{user.pk}:{period.code}"
    counts = cache.get(key)
    if counts is None:
        counts = status_counts(units)
        cache.set(key, counts, COUNTS_SECONDS)
    return counts


def reconciliations_changed() -> None:
    """A reconciliation was prepared, confirmed or sent back: counts kept before are stale."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def count_of(counts: dict[str, int], status: str) -> int | None:
    """How many units `with_status(status)` keeps, read from `status_counts`; None when they do not say (disputes)."""
    if status == DISPUTES:
        return None
    if status == NOT_RECONCILED:
        return counts[NOT_RECONCILED]
    if status == NOT_STARTED or status in Reconciliation.State.values:
        return counts.get(status, 0)
    return sum(count for state, count in counts.items() if state != NOT_RECONCILED)  # any other: the whole list


def disputes_to_review(user: User) -> QuerySet[Reconciliation]:
    """Reconciliations the unit signed with disputed items, waiting on this user to resolve: their 待办.

    The reviewers of `services.is_reviewer`: a department head (or administrator) whose register scope
    holds the unit, never the unit's own users. Oldest signature first, with each one's disputed items counted.
    """
    if not reviews_reconciliations(user):
        return Reconciliation.objects.none()
    disputed = ReconciliationItem.objects.filter(
        reconciliation_id=OuterRef("pk"), answer=ReconciliationItem.Answer.DISPUTED
    )
    return (
        Reconciliation.objects.filter(state=Reconciliation.State.UNIT_CONFIRMED, unit__in=register_for(user))
        .exclude(unit_id=user.organization_id)
        .filter(Exists(disputed))
        .annotate(
            disputed=Subquery(
                disputed.order_by().values("reconciliation_id").annotate(count=Count("pk")).values("count"),
                output_field=IntegerField(),
            )
        )
        .select_related("unit__region")
        .order_by("unit_confirmed_at", "pk")
    )


def reviews_reconciliations(user: User) -> bool:
    """Whether the user's role reviews units' reconciliations (a department head, an administrator)."""
    return user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser
