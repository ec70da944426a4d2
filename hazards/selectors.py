"""Reads with rules: what waits on each user (the work queues), and a hazard's submission rounds."""

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.scope import is_usable
from hazards.models import (
    OPEN_WORK_STATES,
    Attachment,
    ExtensionRequest,
    Hazard,
    HazardEvent,
    HazardState,
    SubmissionRound,
)
from hazards.states import overdue_q
from hazards.visibility import rule_inputs
from hunan_safety.compiled import CompiledQuery
from hunan_safety.lazy import LazyText

QUEUE_ROWS = 20


@dataclass
class Queue:
    key: str
    label: LazyText
    hazards: QuerySet
    count: int = 0
    rows: list | None = None


def most_urgent_first(hazards: QuerySet) -> QuerySet:
    """Major hazards on top, then overdue ones, then the nearest deadline, then the oldest finding."""
    today = timezone.localdate()
    return hazards.annotate(
        severity_rank=Case(
            When(level=Hazard.Level.MAJOR, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        overdue_rank=Case(
            When(overdue_q(today), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("severity_rank", "overdue_rank", F("deadline").asc(nulls_last=True), "found_on", "id")


def ever_escalated() -> Exists:
    """True for a hazard whose reminders were ever escalated up the chain, whatever its deadline since."""
    # Reached through Hazard's reverse relation: notifications sits above hazards and is not imported.
    # (So mypy knows it only as "some model": typed Any, its manager and Stage are looked up at run time.)
    reminder: Any = Hazard._meta.get_field("reminders").related_model
    return Exists(reminder.objects.filter(hazard_id=OuterRef("pk"), stage=reminder.Stage.ESCALATION))


def acts_for_the_province(user: User) -> bool:
    """Provincial staff, and heads whose jurisdiction is the province: they get the province's queue."""
    if user.has_role(Role.PROVINCIAL_STAFF):
        return True
    region = user.jurisdiction
    return user.has_role(Role.DEPARTMENT_HEAD) and region is not None and region.level == "province"


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
            Queue("to_close", _("Ledger entries to cancel (close)"), visible.filter(state=HazardState.VERIFIED)),
        ]
    if user.has_role(Role.RECTIFYING_UNIT) and user.organization_id:
        mine = visible.filter(rectifying_unit_id=user.organization_id)
        queues += [
            Queue("to_start", _("To start rectifying"), mine.filter(state=HazardState.ASSIGNED)),
            Queue("to_submit", _("Being rectified: submit when done"), mine.filter(state=HazardState.RECTIFYING)),
            Queue("waiting", _("Waiting for acceptance"), mine.filter(state=HazardState.SUBMITTED)),
        ]
    if acts_for_the_province(user):
        open_majors = visible.filter(level=Hazard.Level.MAJOR).exclude(state__in=[HazardState.CLOSED, HazardState.VOID])
        queues += [
            Queue(
                "province_listed",
                _("Major hazards under provincial listed supervision"),
                open_majors.filter(listed_level=Hazard.ListedLevel.PROVINCE),
            ),
            Queue(
                "escalated",
                _("Escalated hazards still open"),
                visible.filter(ever_escalated(), state__in=OPEN_WORK_STATES),
            ),
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
        queue.rows = list(most_urgent_first(queue.hazards)[:QUEUE_ROWS])
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


def visible_attachments(user: User | AnonymousUser) -> QuerySet[Attachment]:
    """Attachments of hazards the user may see, and the user's own pending uploads (not yet on a hazard)."""
    if not getattr(user, "is_authenticated", False):
        return Attachment.objects.none()
    return Attachment.objects.filter(
        Q(hazard__in=Hazard.objects.visible_to(user).values("pk")) | Q(hazard__isnull=True, uploaded_by=user)
    )


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


# --- The detail page's reads, compiled once (hunan_safety/compiled.py) ------------------------------

# What a hazard's page shows of its relations, joined in the query that checks it is visible.
DETAIL_RELATED = (
    "industry__parent",
    "region__parent__parent",  # the county's full name: county, city, province
    "unit",
    "rectifying_unit",
    "found_by",
    "campaign",
    "inspection__unit",  # the inspection is named by its unit or site
    "verified_by",
    "listed_by",
)

# One compiled read per distinct rule (visibility.rule_inputs): the users a process serves, bounded.
_RULES_KEPT = 256
_visible_by_rule: "OrderedDict[tuple[Any, ...], CompiledQuery]" = OrderedDict()
_visible_by_rule_lock = threading.Lock()


def _visible_read(user: User) -> CompiledQuery:
    key = rule_inputs(user)
    with _visible_by_rule_lock:
        compiled = _visible_by_rule.get(key)
        if compiled is not None:
            _visible_by_rule.move_to_end(key)
            return compiled
    compiled = CompiledQuery(
        lambda pk: Hazard.objects.visible_to(user).select_related(*DETAIL_RELATED).filter(pk=pk).order_by(), "pk"
    )
    with _visible_by_rule_lock:
        _visible_by_rule[key] = compiled
        if len(_visible_by_rule) > _RULES_KEPT:
            _visible_by_rule.popitem(last=False)
    return compiled


def visible_hazard(user: User | AnonymousUser, pk: int) -> Hazard | None:
    """The hazard with what its page shows of its relations, if this user may see it; else None.

    The same rule as `Hazard.objects.visible_to(user)`, checked by PostgreSQL on every call; only its
    SQL is kept, per distinct input of the rule, instead of being compiled again for each page.
    """
    if not is_usable(user):
        return None
    return _visible_read(user).first(pk=pk)


# A hazard's own rows its page lists, each read compiled once: only the hazard's id changes.
_FILES = CompiledQuery(
    lambda hazard_id: Attachment.objects.filter(hazard_id=hazard_id).select_related("uploaded_by__organization"),
    "hazard_id",
)
_ROUNDS = CompiledQuery(
    lambda hazard_id: SubmissionRound.objects.filter(hazard_id=hazard_id).select_related("submitted_by", "decided_by"),
    "hazard_id",
)
_EVENTS = CompiledQuery(
    lambda hazard_id: HazardEvent.objects.filter(hazard_id=hazard_id).select_related("actor").order_by("at", "id"),
    "hazard_id",
)
_EXTENSION_REQUESTS = CompiledQuery(
    lambda hazard_id: ExtensionRequest.objects.filter(hazard_id=hazard_id).select_related("requested_by", "decided_by"),
    "hazard_id",
)


def _of(hazard: Hazard, rows: list[Any]) -> list[Any]:
    for row in rows:  # as the hazard's related manager would: each row points at the same hazard object
        row.hazard = hazard
    return rows


def hazard_files(hazard: Hazard) -> list[Attachment]:
    """The hazard's photos and documents, in upload order, with who uploaded them."""
    return _of(hazard, _FILES.run(hazard_id=hazard.pk))


def hazard_rounds(hazard: Hazard) -> list[SubmissionRound]:
    """The hazard's submissions for acceptance, by number, with who submitted and who decided."""
    return _of(hazard, _ROUNDS.run(hazard_id=hazard.pk))


def hazard_events(hazard: Hazard) -> list[HazardEvent]:
    """The hazard's history, oldest first, with who acted."""
    return _of(hazard, _EVENTS.run(hazard_id=hazard.pk))


def hazard_extension_requests(hazard: Hazard) -> list[ExtensionRequest]:
    """The hazard's extension requests, newest first, with who asked and who decided."""
    return _of(hazard, _EXTENSION_REQUESTS.run(hazard_id=hazard.pk))
