"""Reads with rules: what waits on each user (the work queues), and a hazard's submission rounds."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from hazards.models import OPEN_WORK_STATES, Attachment, ExtensionRequest, Hazard, HazardState, SubmissionRound
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


@dataclass
class RoundRecord:
    """One submission of a rectification as data, for the page and the ledger export (one row or cell per round)."""

    number: int
    submitted_at: datetime
    submitted_by: str
    completion_report: str
    evaluation_method: str
    evaluating_body: str
    outcome: str
    decided_by: str
    decided_at: datetime | None
    rejection_reason: str
    files: list[str] = field(default_factory=list)  # original names, "after" evidence first


def submission_rounds(hazard_ids: Iterable[int]) -> dict[int, list[RoundRecord]]:
    """Each hazard's numbered submissions (第1次提交, 第2次提交 …) in order, in two queries for any number of hazards.

    The caller has chosen `hazard_ids` through the visibility rule; labels are in the active language.
    """
    ids = list(hazard_ids)
    rounds = (
        SubmissionRound.objects.filter(hazard_id__in=ids)
        .select_related("submitted_by", "decided_by")
        .order_by("hazard_id", "number")
    )
    files: dict[int, list[str]] = {}
    evidence_first = Case(When(stage=Attachment.Stage.AFTER, then=Value(0)), default=Value(1))
    for round_id, name in (
        Attachment.objects.filter(round__hazard_id__in=ids)
        .order_by("round_id", evidence_first, "id")
        .values_list("round_id", "original_name")
    ):
        files.setdefault(round_id, []).append(name)
    result: dict[int, list[RoundRecord]] = {}
    for submission in rounds:
        decided_by = submission.decided_by
        result.setdefault(submission.hazard_id, []).append(
            RoundRecord(
                number=submission.number,
                submitted_at=submission.submitted_at,
                submitted_by=submission.submitted_by.get_full_name() or submission.submitted_by.username,
                completion_report=submission.completion_report,
                evaluation_method=str(submission.get_evaluation_method_display())
                if submission.evaluation_method
                else "",
                evaluating_body=submission.evaluating_body,
                outcome=str(submission.get_outcome_display()),
                decided_by=(decided_by.get_full_name() or decided_by.username) if decided_by else "",
                decided_at=submission.decided_at,
                rejection_reason=submission.rejection_reason,
                files=files.get(submission.pk, []),
            )
        )
    return result
