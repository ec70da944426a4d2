"""Reads with rules: what waits on each user (the work queues)."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from hazards.models import OPEN_WORK_STATES, ExtensionRequest, Hazard, HazardState
from hazards.states import overdue_q
from hunan_safety.lazy import LazyText

QUEUE_ROWS = 20


@dataclass
class Queue:
    key: str
    label: LazyText
    hazards: QuerySet
    count: int = 0
    rows: list | None = None


def overdue_first(hazards: QuerySet) -> QuerySet:
    """Overdue items on top, then the nearest deadline, then the oldest finding."""
    today = timezone.localdate()
    return hazards.annotate(
        overdue_rank=Case(
            When(overdue_q(today), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("overdue_rank", "deadline", "found_on", "id")


def work_queues(user: User) -> list[Queue]:
    """What waits on this user, by the roles they hold; every queue is inside the visibility rule."""
    visible = Hazard.objects.visible_to(user).select_related("industry", "region", "unit", "rectifying_unit")
    queues: list[Queue] = []
    if user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser:
        pending = ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING).values("hazard_id")
        queues += [
            Queue("to_assign", _("Findings to assign"), visible.filter(state=HazardState.REPORTED)),
            Queue(
                "extensions",
                _("Extensions to decide"),
                visible.filter(pk__in=pending, state__in=OPEN_WORK_STATES),
            ),
            Queue(
                "to_accept",
                _("Rectifications to accept"),
                visible.filter(state=HazardState.SUBMITTED).exclude(submitted_by=user),
            ),
            Queue("to_close", _("Accounts to close (销号)"), visible.filter(state=HazardState.VERIFIED)),
        ]
    if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
        mine = visible.filter(rectifying_unit_id=user.organization_id)
        queues += [
            Queue("to_start", _("To start rectifying"), mine.filter(state=HazardState.ASSIGNED)),
            Queue("to_submit", _("Being rectified: submit when done"), mine.filter(state=HazardState.RECTIFYING)),
            Queue("waiting", _("Waiting for acceptance"), mine.filter(state=HazardState.SUBMITTED)),
        ]
    if user.has_role(Role.INSPECTOR):
        queues.append(
            Queue(
                "my_findings",
                _("My findings not yet assigned"),
                visible.filter(found_by=user, state=HazardState.REPORTED),
            )
        )
    for queue in queues:
        queue.count = queue.hazards.count()
        queue.rows = list(overdue_first(queue.hazards)[:QUEUE_ROWS])
    return queues


def clause_counts(hazards: QuerySet[Hazard]) -> list[dict[str, Any]]:
    """How many of `hazards` (already scoped by visible_to and filtered) fall under each determination
    clause, most first: "which clauses are violated most in fireworks this year"."""
    return list(
        hazards.filter(determination_clause__isnull=False)
        .values(
            "determination_clause_id",
            "determination_clause__number",
            "determination_clause__text",
            "determination_clause__standard__code",
            "determination_clause__standard__title",
        )
        .annotate(count=Count("pk"))
        .order_by("-count", "determination_clause__standard__code", "determination_clause__position")
    )
