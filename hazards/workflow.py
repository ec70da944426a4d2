"""Every change of a hazard's state goes through this module (DESIGN.md section 4).

Each action checks, in this order: the user may see the hazard (else 404), the role and scope
allow it, the state allows it, the preconditions hold; then it applies the change under a row
lock, writes one HazardEvent in the same transaction, and sends notifications after commit.
Views, imports and tasks call these functions; nothing else writes `state`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from accounts.roles import Role
from hazards.models import (
    Attachment,
    ExtensionRequest,
    Hazard,
    HazardEvent,
    HazardState,
    LedgerSequence,
    SubmissionRound,
)
from hazards.responsibility import resolve_chain, supervising_heads
from hazards.signals import hazard_changed
from hazards.transitions import (
    LEVEL_RANK,
    REPORTER,
    SELF_RECTIFY,
    SELF_REPORT,
    TRANSITIONS,
    HazardError,
    HazardNotFound,
    allowed_actions,
    check,
    head_rank,
    is_head,
    is_reporter,
    target_state,
)
from hunan_safety.lazy import LazyText
from inspections.models import ChecklistAnswer, Inspection
from rules.calendar import WorkingCalendar, working_calendar
from rules.models import ChecklistItem

# The table's answers that callers of the workflow need too, re-exported so that one import serves them.
__all__ = ["HazardError", "HazardNotFound", "allowed_actions", "can_report", "is_head"]


# Fields a finding's editor may change while it is reported; shown in the edit event.
EDITABLE_FIELDS = (
    "title",
    "description",
    "industry",
    "level",
    "kind",
    "legal_basis",
    "source",
    "campaign",
    "region",
    "unit",
    "site_name",
    "location",
    "found_on",
    # Last, so that the page's first search-as-you-type picker stays the unit's.
    "determination_clause",
    "major_reason",
)


REPORTERS_ONLY = REPORTER.refusal
can_report = is_reporter


def can_edit_finding(hazard: Hazard, user: User) -> bool:
    """The finder or a head may edit a finding while it is reported; after that only actions change it."""
    if hazard.state not in TRANSITIONS[HazardEvent.Action.EDIT].sources:
        return False
    return hazard.found_by_id == user.pk or user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser


@transaction.atomic
def report_finding(
    *,
    actor: User,
    hazard: Hazard,
    attachments: Iterable[Attachment] = (),
    after_attachments: Iterable[Attachment] = (),
    reason: str = "",
) -> Hazard:
    """Put a new finding on the ledger: `reported`, or `submitted` when rectified on the spot (立查立改).

    A finding rectified on the spot needs at least one "after" photo or document as evidence; it
    still needs acceptance. `reason` goes on the `reported` event (e.g. the file it was imported from).
    """
    if not can_report(actor):
        raise HazardError(str(REPORTERS_ONLY))
    if hazard.pk is not None:
        raise HazardError(_("This finding is already on the ledger."))
    after = list(after_attachments)
    if hazard.on_the_spot and not after:
        raise HazardError(_("A finding rectified on the spot needs at least one photo or document of the result."))
    hazard.found_by = actor
    reported = target_state(HazardEvent.Action.REPORT, "")
    if hazard.on_the_spot:
        now = timezone.now()
        hazard.state = target_state(HazardEvent.Action.SUBMIT, reported)
        hazard.rectifying_unit = hazard.unit
        # The finder submitted the evidence: someone else must accept it.
        hazard.submitted_by = actor
        hazard.submitted_at = now
        hazard.started_at = now
    else:
        hazard.state = reported
    hazard.full_clean(exclude=["number"])
    # Numbered last, once the finding is known to be valid: a refused one uses up no number.
    hazard.number = LedgerSequence.next_number(region_code=hazard.region_id, year=hazard.found_on.year)
    hazard.save()
    claimed = [attachment.pk for attachment in [*attachments, *after]]
    Attachment.objects.filter(pk__in=claimed, hazard__isnull=True).update(hazard=hazard)
    if hazard.on_the_spot:
        _open_round(hazard, actor=actor, report=hazard.measures, evidence=after)
    if hazard.is_major:
        # A major hazard is news: the supervising department's heads and the level above are told at once.
        _notify_after_commit(
            hazard=hazard, actor=actor, action=HazardEvent.Action.REPORT, recipients=supervising_heads(hazard)
        )
    HazardEvent.objects.create(
        hazard=hazard, actor=actor, action=HazardEvent.Action.REPORT, to_state=reported, reason=reason
    )
    if hazard.on_the_spot:
        HazardEvent.objects.create(
            hazard=hazard,
            actor=actor,
            action=HazardEvent.Action.SUBMIT,
            from_state=reported,
            to_state=hazard.state,
            changes={"on_the_spot": [False, True]},
        )
    return hazard


def can_self_report(user: User) -> bool:
    """A unit's own users record the hazards it finds in self-inspection (企业自查自报)."""
    return user.has_role(Role.RECTIFYING_UNIT) and user.organization_id is not None


@transaction.atomic
def report_self_found(
    *, actor: User, hazard: Hazard, attachments: Iterable[Attachment] = (), deadline: date | None = None
) -> Hazard:
    """Put a hazard the actor's unit found itself (source 企业自查) on the ledger.

    A general hazard the unit can fix alone it starts rectifying at once, with its measures and its
    own deadline, and later submits for the supervising department's acceptance; a major one, or one
    marked as needing government coordination, stays reported, in the department's queue to assign.
    """
    unit = actor.organization
    if not can_self_report(actor) or unit is None:
        raise HazardError(str(SELF_REPORT.actor.refusal))
    if hazard.pk is not None:
        raise HazardError(_("This finding is already on the ledger."))
    hazard.unit = unit
    hazard.region = unit.region
    hazard.source = Hazard.Source.SELF_CHECK
    hazard.found_by = actor
    hazard.state = SELF_REPORT.leads_to("")
    to_department = hazard.is_major or hazard.needs_government_coordination
    if not to_department:
        if deadline is None or deadline < timezone.localdate():
            raise HazardError(_("Set the date by which the unit will have rectified it: today or later."))
        if not hazard.measures.strip():
            raise HazardError(_("Describe the rectification measures first."))
        hazard.deadline = deadline
    hazard.full_clean(exclude=["number"])
    hazard.number = LedgerSequence.next_number(region_code=hazard.region_id, year=hazard.found_on.year)
    hazard.save()
    Attachment.objects.filter(
        pk__in=[attachment.pk for attachment in attachments], hazard__isnull=True, uploaded_by=actor
    ).update(hazard=hazard)
    HazardEvent.objects.create(
        hazard=hazard,
        actor=actor,
        action=SELF_REPORT.action,
        to_state=hazard.state,
        changes={"needs_government_coordination": [False, True]} if hazard.needs_government_coordination else {},
    )
    if to_department:
        return hazard
    reported = hazard.state
    hazard.rectifying_unit = unit
    hazard.responsibility_chain = resolve_chain(hazard)
    hazard.state = SELF_RECTIFY.leads_to(reported)
    hazard.started_at = timezone.now()
    _record(hazard, actor=actor, action=SELF_RECTIFY.action, from_state=reported)
    return hazard


@dataclass(frozen=True)
class ImportedHistory:
    """What a historical ledger row says happened after the finding, each step on its own date (issue 20).

    `rectified_on`: the ledger says the rectification was done (整改情况 是); without an acceptance
    record the finding then waits for acceptance (submitted), never closed. `accepted_on`: the
    acceptance record (复查时间 with a passing 复查结果), by `acceptor` when the ledger's reviewer is a
    user of the organisation (else the importer, the reviewer's name in `opinion`); the finding is then
    accepted and closed on that day. `note` goes on the submission (what the ledger said).
    """

    rectified_on: date | None = None
    accepted_on: date | None = None
    acceptor: User | None = None
    opinion: str = ""
    note: str = ""

    def steps(self, found_on: date) -> list[tuple[str, date]]:
        """The workflow's actions this history took, with their days, in order."""
        done = self.rectified_on or self.accepted_on
        if done is None:
            return []
        steps: list[tuple[str, date]] = [(HazardEvent.Action.ASSIGN, found_on), (HazardEvent.Action.START, found_on)]
        steps.append((HazardEvent.Action.SUBMIT, max(done, found_on)))
        if self.accepted_on is not None:
            accepted = max(self.accepted_on, found_on)
            steps += [(HazardEvent.Action.VERIFY, accepted), (HazardEvent.Action.CLOSE, accepted)]
        return steps


def _on(day: date) -> datetime:
    """A past day as a moment: noon, local time (the ledger gives days, not times)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _replay(hazard: Hazard, history: ImportedHistory, actor: User) -> list[tuple[str, str, str, datetime]]:
    """Move an imported finding through its history by the transition table; (action, from, to, at) per step."""
    moments: dict[str, str] = {
        HazardEvent.Action.ASSIGN: "assigned_at",
        HazardEvent.Action.START: "started_at",
        HazardEvent.Action.SUBMIT: "submitted_at",
        HazardEvent.Action.VERIFY: "verified_at",
        HazardEvent.Action.CLOSE: "closed_at",
    }
    events = []
    for action, day in history.steps(hazard.found_on):
        from_state = hazard.state
        hazard.state = target_state(action, from_state)
        setattr(hazard, moments[action], _on(day))
        events.append((action, from_state, hazard.state, _on(day)))
    if hazard.submitted_at is not None:
        hazard.rectifying_unit = hazard.rectifying_unit or hazard.unit
        hazard.submitted_by = actor
        hazard.completion_report = history.note
    if hazard.verified_at is not None:
        hazard.verified_by = history.acceptor or actor
        hazard.acceptance_opinion = history.opinion
    return events


@transaction.atomic
def import_findings(
    *,
    actor: User,
    findings: list[tuple[int, Hazard]],
    file_name: str,
    histories: dict[int, ImportedHistory] | None = None,
) -> list[Hazard]:
    """Put the findings read from a unit's ledger on the ledger: all of them, or none.

    `findings` are (row number, unsaved hazard) pairs checked by `ledger.validation.check_import`
    (with the browser's finding form); each is reported as `report_finding` reports one, and its
    event names the file and row. `histories` (by row number) moves a historical finding through
    the transition table with its own dates (assigned, rectified, accepted, closed), one dated event
    per step. The rows are numbered under one lock per county and year and written in bulk.
    """
    if not can_report(actor):
        raise HazardError(str(REPORTERS_ONLY))
    histories = histories or {}
    reported = target_state(HazardEvent.Action.REPORT, "")
    steps: dict[int, list[tuple[str, str, str, datetime]]] = {}
    for row, hazard in findings:
        if hazard.pk is not None:
            raise HazardError(_("This finding is already on the ledger."))
        hazard.found_by = hazard.found_by if hazard.found_by_id else actor
        hazard.state = reported
        hazard.on_the_spot = False
        if row in histories:
            steps[row] = _replay(hazard, histories[row], actor)
        try:
            # The form checked the choices and references of each row; the constraints are the database's.
            hazard.full_clean(exclude=["number", *FOREIGN_KEYS], validate_constraints=False)
        except ValidationError as error:
            raise HazardError(_("Row %(row)d: %(error)s") % {"row": row, "error": " ".join(error.messages)}) from None
    by_sequence: dict[tuple[str, int], list[Hazard]] = {}
    for _row, hazard in findings:
        by_sequence.setdefault((hazard.region_id, hazard.found_on.year), []).append(hazard)
    for (region_code, year), hazards in by_sequence.items():
        numbers = LedgerSequence.next_numbers(region_code=region_code, year=year, count=len(hazards))
        for hazard, number in zip(hazards, numbers, strict=True):
            hazard.number = number
    created = Hazard.objects.bulk_create([hazard for _row, hazard in findings], batch_size=500)
    events = []
    for row, hazard in findings:
        reason = _("Imported from %(file)s, row %(row)d.") % {"file": file_name, "row": row}
        dated = row in steps
        events.append(
            HazardEvent(
                hazard=hazard,
                actor=actor,
                action=HazardEvent.Action.REPORT,
                to_state=reported,
                reason=reason,
                at=_on(hazard.found_on) if dated else timezone.now(),
            )
        )
        for action, from_state, to_state, at in steps.get(row, []):
            events.append(
                HazardEvent(
                    hazard=hazard,
                    actor=actor,
                    action=action,
                    from_state=from_state,
                    to_state=to_state,
                    reason=reason,
                    at=at,
                )
            )
    HazardEvent.objects.bulk_create(events, batch_size=1000)
    return created


FOREIGN_KEYS = [field.name for field in Hazard._meta.concrete_fields if field.is_relation]


@transaction.atomic
def record_inspection(
    *,
    actor: User,
    inspection: Inspection,
    team: Iterable[User],
    findings: Iterable[tuple[Hazard, Iterable[Attachment], Iterable[Attachment]]],
) -> Inspection:
    """Save an inspection visit with its team and put each finding on the ledger.

    `findings` is a list of (hazard, before attachments, after attachments); each hazard takes the
    visit's county, unit or site, campaign and date, and goes through the workflow's report.
    """
    if not can_report(actor):
        raise HazardError(str(REPORTERS_ONLY))
    inspection.created_by = actor
    if inspection.organization_id is None:
        inspection.organization = actor.organization
    inspection.full_clean()
    inspection.save()
    inspection.inspectors.set({actor, *team})
    for hazard, before, after in findings:
        _found_on_inspection(hazard, inspection)
        report_finding(actor=actor, hazard=hazard, attachments=before, after_attachments=after)
    return inspection


def _found_on_inspection(hazard: Hazard, inspection: Inspection) -> None:
    """A finding of a visit takes the visit's county, unit or site, campaign, date and (by default) industry."""
    hazard.inspection = inspection
    hazard.region = inspection.region
    hazard.unit = inspection.unit
    hazard.site_name = inspection.site_name
    hazard.campaign = inspection.campaign
    hazard.found_on = inspection.inspected_on
    if hazard.industry_id is None:
        hazard.industry = inspection.industry
    hazard.source = Hazard.Source.CAMPAIGN if inspection.campaign_id else Hazard.Source.INSPECTION


@transaction.atomic
def answer_checklist(*, actor: User, inspection_id: int, answers: dict[int, tuple[str, str]]) -> list[Hazard]:
    """Record a visit's answers to the checklist it follows: {item id: (answer, note)}.

    Each item answered 不符合 becomes a finding pre-filled from the item (its text, legal basis and
    determination clause; major when the item is linked to a clause), once: answering again updates
    the answers and adds findings only for items newly non-compliant. Returns the new findings.
    """
    if not can_report(actor):
        raise HazardError(str(REPORTERS_ONLY))
    inspection = Inspection.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=inspection_id).first()
    if inspection is None:
        raise HazardNotFound
    if inspection.checklist_id is None:
        raise HazardError(_("This inspection follows no checklist."))
    items = {
        item.pk: item
        for item in ChecklistItem.objects.filter(checklist_id=inspection.checklist_id).select_related(
            "clause__standard"
        )
    }
    if set(answers) - set(items):
        raise HazardError(_("An answer is for an item of another checklist."))
    already = set(
        Hazard.objects.filter(inspection=inspection, checklist_item_id__in=items).values_list(
            "checklist_item_id", flat=True
        )
    )
    created = []
    for item_id, (answer, note) in answers.items():
        ChecklistAnswer.objects.update_or_create(
            inspection=inspection, item_id=item_id, defaults={"answer": answer, "note": note, "answered_by": actor}
        )
        if answer != ChecklistAnswer.Answer.NON_COMPLIANT or item_id in already:
            continue
        item = items[item_id]
        hazard = Hazard(
            title=item.text[:200],
            description="\n".join(part for part in (item.text, note) if part),
            level=Hazard.Level.MAJOR if item.clause_id else Hazard.Level.GENERAL,
            legal_basis=item.basis,
            determination_clause=item.clause,
            checklist_item=item,
        )
        _found_on_inspection(hazard, inspection)
        created.append(report_finding(actor=actor, hazard=hazard))
    return created


def _column(name: str) -> Field:
    """A field of the hazard's own table (the editable and plan fields are all such)."""
    field = Hazard._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _value(hazard: Hazard, field: str) -> str | int:
    """A field's value as history stores it: a code, an id or an ISO date, never a label in someone's language."""
    model_field = _column(field)
    if model_field.is_relation:
        return getattr(hazard, model_field.attname) or ""
    value = getattr(hazard, field)
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


@transaction.atomic
def edit_finding(
    *, actor: User, hazard_id: int, changes: dict[str, Any], version: int, attachments: Iterable[Attachment] = ()
) -> Hazard:
    """Change a reported finding's fields; the event records each field's old and new value.

    `version` is the version the user's form was made from: a stale form is refused rather than
    silently overwriting someone else's edit.
    """
    hazard = Hazard.objects.visible_to(actor).select_for_update().filter(pk=hazard_id).first()
    if hazard is None:
        raise HazardNotFound
    if not can_edit_finding(hazard, actor):
        if hazard.state != HazardState.REPORTED:
            raise HazardError(
                _("Only a reported finding can be edited; it is now %(state)s.") % {"state": hazard.get_state_display()}
            )
        raise HazardError(_("Only the finder or a department head can edit this finding."))
    if hazard.version != version:
        raise HazardError(
            _("Someone else changed this finding while you were editing it. Reload the page and try again.")
        )
    before = {field: _value(hazard, field) for field in EDITABLE_FIELDS}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise HazardError(_("%(field)s cannot be edited here.") % {"field": field})
        setattr(hazard, field, value)
    hazard.full_clean(exclude=["number"])
    diff: dict[str, list[str | int]] = {}
    for field in EDITABLE_FIELDS:
        after = _value(hazard, field)
        if after != before[field]:
            diff[field] = [before[field], after]
    added = list(attachments)
    if not diff and not added:
        return hazard
    hazard.version += 1
    hazard.save()
    if added:
        Attachment.objects.filter(pk__in=[a.pk for a in added], hazard__isnull=True).update(hazard=hazard)
        diff["attachments"] = ["", "、".join(a.original_name for a in added)]
    HazardEvent.objects.create(hazard=hazard, actor=actor, action=HazardEvent.Action.EDIT, changes=diff)
    return hazard


# --- The workflow after reporting ------------------------------------------------------------


def _locked(actor: User, hazard_id: int, version: int | None) -> Hazard:
    """The hazard under a row lock, if the actor may see it (else 404); refuses a stale form."""
    hazard = (
        Hazard.objects.visible_to(actor)
        # Lock the hazard row only: PostgreSQL cannot lock the nullable side of an outer join.
        .select_for_update(of=("self",))
        .select_related("industry", "region", "unit", "rectifying_unit")
        .filter(pk=hazard_id)
        .first()
    )
    if hazard is None:
        raise HazardNotFound
    if version is not None and hazard.version != version:
        raise HazardError(_("Someone else acted on this hazard meanwhile. Reload the page to see what changed."))
    return hazard


def _record(
    hazard: Hazard,
    *,
    actor: User,
    action: str,
    from_state: str,
    reason: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> HazardEvent:
    hazard.version += 1
    hazard.save()
    return HazardEvent.objects.create(
        hazard=hazard,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=hazard.state,
        reason=reason,
        changes=changes or {},
    )


def _unit_members(hazard: Hazard) -> list[int]:
    if hazard.rectifying_unit is None:  # fetched with the locked hazard (or unset): no query
        return []
    return list(
        hazard.rectifying_unit.members.filter(is_active=True, groups__name=Role.RECTIFYING_UNIT).values_list(
            "pk", flat=True
        )
    )


def _assigner(hazard: Hazard) -> list[int]:
    assign = hazard.events.filter(action=HazardEvent.Action.ASSIGN).order_by("-at").first()
    return [assign.actor_id] if assign else []


def _notify_after_commit(
    *, hazard: Hazard, actor: User, action: str, recipients: Iterable[int | None], note: str = ""
) -> None:
    recipient_ids = list(recipients)
    transaction.on_commit(
        lambda: hazard_changed.send(
            sender=Hazard, hazard=hazard, actor=actor, action=action, recipients=recipient_ids, note=note
        )
    )


def _require_text(value: str, message: LazyText) -> str:
    value = (value or "").strip()
    if not value:
        raise HazardError(str(message))
    return value


@transaction.atomic
def assign(
    *,
    actor: User,
    hazard_id: int,
    deadline: date | None,
    rectifying_unit: Organization | None,
    chain: list[dict[str, Any]] | None = None,
    measures: str = "",
    version: int | None = None,
) -> Hazard:
    """Give the finding to a rectifying unit with a deadline; snapshot the responsibility chain."""
    hazard = _locked(actor, hazard_id, version)
    from_state = hazard.state
    transition = check("assign", hazard, actor)
    if rectifying_unit is None:
        raise HazardError(_("Choose the unit that must rectify the hazard."))
    if hazard.unit is not None and hazard.unit.kind == Organization.Kind.ENTERPRISE and rectifying_unit != hazard.unit:
        # 企业主体责任: the enterprise puts its own hazard right; bodies of government supervise it.
        raise HazardError(
            _(
                "A hazard at an enterprise is rectified by that enterprise (%(unit)s): a government body or "
                "another unit supervises, it does not rectify."
            )
            % {"unit": hazard.unit.name}
        )
    if deadline is None or deadline < timezone.localdate():
        raise HazardError(_("The deadline must be today or later."))
    hazard.rectifying_unit = rectifying_unit
    hazard.deadline = deadline
    if measures:
        hazard.measures = measures
    hazard.responsibility_chain = chain if chain is not None else resolve_chain(hazard)
    hazard.state = transition.leads_to(from_state)
    hazard.assigned_at = timezone.now()
    event = _record(hazard, actor=actor, action=HazardEvent.Action.ASSIGN, from_state=from_state)
    named = {entry["user_id"] for entry in hazard.responsibility_chain if entry.get("user_id")}
    hazard.named_users.set(named)
    _notify_after_commit(hazard=hazard, actor=actor, action=event.action, recipients=[*_unit_members(hazard), *named])
    return hazard


@transaction.atomic
def start(*, actor: User, hazard_id: int, plan: dict[str, Any], version: int | None = None) -> Hazard:
    """Begin rectification with the plan; a major hazard needs all five of 五落实, goals and the suspension decision."""
    hazard = _locked(actor, hazard_id, version)
    from_state = hazard.state
    transition = check("start", hazard, actor)
    for field in Hazard.PLAN_FIELDS:
        if field in plan and plan[field] not in (None, ""):
            setattr(hazard, field, plan[field])
    if hazard.is_major:
        missing = [
            str(_column(field).verbose_name)
            for field in Hazard.MAJOR_PLAN_FIELDS
            if getattr(hazard, field) in (None, "")
        ]
        if missing:
            raise HazardError(
                _("A major hazard needs the five musts (五落实) before rectification starts; missing: %(fields)s.")
                % {"fields": "、".join(missing)}
            )
    elif not hazard.measures:
        raise HazardError(_("Describe the rectification measures first."))
    if hazard.funds is not None and hazard.funds < 0:
        raise HazardError(_("Funds cannot be negative."))
    hazard.state = transition.leads_to(from_state)
    hazard.started_at = timezone.now()
    event = _record(hazard, actor=actor, action=HazardEvent.Action.START, from_state=from_state)
    _notify_after_commit(hazard=hazard, actor=actor, action=event.action, recipients=_assigner(hazard))
    return hazard


def _open_round(
    hazard: Hazard,
    *,
    actor: User,
    report: str,
    evidence: Iterable[Attachment],
    evaluation_method: str = "",
    evaluating_body: str = "",
) -> SubmissionRound:
    """A new numbered submission with the evidence handed in with it; earlier rounds stay as they were."""
    submission = SubmissionRound.objects.create(
        hazard=hazard,
        number=hazard.rounds.count() + 1,
        completion_report=report,
        submitted_by=actor,
        submitted_at=hazard.submitted_at or timezone.now(),
        evaluation_method=evaluation_method,
        evaluating_body=evaluating_body,
    )
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in evidence], hazard=hazard).update(round=submission)
    return submission


def _pending_round(hazard: Hazard) -> SubmissionRound | None:
    return hazard.rounds.select_for_update().filter(outcome=SubmissionRound.Outcome.PENDING).first()


def _check_major_evaluation(
    *, method: str, body: str, reports: list[Attachment], applications: list[Attachment]
) -> None:
    """SAWS Order 16 art. 18: a major hazard is evaluated by experts or an agency, and the unit applies in writing."""
    missing = []
    if method not in Hazard.MAJOR_ACCEPTANCE_METHODS:
        missing.append(_("the evaluation method (experts or a qualified agency, not the unit itself)"))
    if not body.strip():
        missing.append(_("the evaluating body or experts"))
    if not reports:
        missing.append(_("the evaluation report"))
    if not applications:
        missing.append(_("the written application"))
    if missing:
        raise HazardError(
            _(
                "A major hazard is accepted only after an evaluation by experts or a qualified agency and the "
                "unit's written application (SAWS Order 16, art. 18); missing: %(items)s."
            )
            % {"items": "、".join(str(item) for item in missing)}
        )


@transaction.atomic
def submit(
    *,
    actor: User,
    hazard_id: int,
    completion_report: str,
    attachments: Iterable[Attachment] = (),
    evaluation_method: str = "",
    evaluating_body: str = "",
    evaluation_reports: Iterable[Attachment] = (),
    applications: Iterable[Attachment] = (),
    version: int | None = None,
) -> Hazard:
    """Report the rectification done as a new numbered round, with at least one "after" photo or document.

    A major hazard's round also carries the evaluation by experts or a qualified agency (method, body,
    report) and the unit's written application for cancellation.
    """
    hazard = _locked(actor, hazard_id, version)
    from_state = hazard.state
    transition = check("submit", hazard, actor)
    report = _require_text(completion_report, gettext_lazy("Write the completion report: what was done, and when."))
    # Only the submitter's own unclaimed uploads count, each as the kind of evidence it was handed in as.
    evidence = {
        Attachment.Stage.AFTER: list(attachments),
        Attachment.Stage.EVALUATION: list(evaluation_reports),
        Attachment.Stage.APPLICATION: list(applications),
    }
    owned = {
        stage: list(
            Attachment.objects.filter(
                pk__in=[attachment.pk for attachment in files], hazard__isnull=True, uploaded_by=actor
            )
        )
        for stage, files in evidence.items()
    }
    if not owned[Attachment.Stage.AFTER]:
        raise HazardError(_("Add at least one photo or document of the result of this round."))
    evaluating_body = (evaluating_body or "").strip()
    if hazard.is_major:
        _check_major_evaluation(
            method=evaluation_method,
            body=evaluating_body,
            reports=owned[Attachment.Stage.EVALUATION],
            applications=owned[Attachment.Stage.APPLICATION],
        )
    else:
        evaluation_method = evaluating_body = ""
    for stage, files in owned.items():
        Attachment.objects.filter(pk__in=[attachment.pk for attachment in files]).update(hazard=hazard, stage=stage)
    hazard.completion_report = report
    hazard.submitted_by = actor
    hazard.submitted_at = timezone.now()
    hazard.state = transition.leads_to(from_state)
    event = _record(hazard, actor=actor, action=HazardEvent.Action.SUBMIT, from_state=from_state)
    _open_round(
        hazard,
        actor=actor,
        report=report,
        evidence=[attachment for files in owned.values() for attachment in files],
        evaluation_method=evaluation_method,
        evaluating_body=evaluating_body,
    )
    _notify_after_commit(hazard=hazard, actor=actor, action=event.action, recipients=_assigner(hazard))
    return hazard


@transaction.atomic
def reject(*, actor: User, hazard_id: int, reason: str, version: int | None = None) -> Hazard:
    """Send the rectification back to the unit, saying why."""
    hazard = _locked(actor, hazard_id, version)
    from_state = hazard.state
    transition = check("reject", hazard, actor)
    reason = _require_text(
        reason, gettext_lazy("Say why the rectification is not accepted: the unit sees it above its next submission.")
    )
    hazard.state = transition.leads_to(from_state)
    event = _record(hazard, actor=actor, action=HazardEvent.Action.REJECT, from_state=from_state, reason=reason)
    _decide_round(hazard, actor=actor, outcome=SubmissionRound.Outcome.REJECTED, reason=reason)
    _notify_after_commit(
        hazard=hazard,
        actor=actor,
        action=event.action,
        recipients=[*_unit_members(hazard), hazard.submitted_by_id],
        note=reason,
    )
    return hazard


def _decide_round(hazard: Hazard, *, actor: User, outcome: str, reason: str = "") -> None:
    submission = _pending_round(hazard)
    if submission is None:  # submitted before rounds were kept and not backfilled: nothing to close
        return
    submission.outcome = outcome
    submission.decided_by = actor
    submission.decided_at = timezone.now()
    submission.rejection_reason = reason
    submission.save(update_fields=["outcome", "decided_by", "decided_at", "rejection_reason"])


@transaction.atomic
def verify(
    *,
    actor: User,
    hazard_id: int,
    method: str,
    opinion: str,
    reviewed_on: date | None = None,
    reviewers: str = "",
    version: int | None = None,
) -> Hazard:
    """Accept the rectification (验收): how it was accepted and the opinion; never by the submitter.

    A major hazard is accepted only on an evaluation by experts or a qualified agency (the round
    carries it, see `submit`), and the head records the on-site review: its date and the reviewers.
    """
    hazard = _locked(actor, hazard_id, version)
    from_state = hazard.state
    transition = check("verify", hazard, actor)
    reviewers = (reviewers or "").strip()
    if hazard.is_major:
        if method not in Hazard.MAJOR_ACCEPTANCE_METHODS:
            raise HazardError(
                _(
                    "A major hazard is accepted on an evaluation by experts or a qualified agency, never on the "
                    "unit's self-evaluation: choose which."
                )
            )
        if reviewed_on is None or not reviewers:
            raise HazardError(
                _("Record the on-site review of the major hazard before accepting it: its date and the reviewers.")
            )
        if reviewed_on > timezone.localdate():
            raise HazardError(_("The on-site review cannot be dated in the future."))
    elif method not in Hazard.AcceptanceMethod.values:
        raise HazardError(_("Choose how the rectification was accepted."))
    opinion = _require_text(opinion, gettext_lazy("Write the acceptance opinion: what was checked and found."))
    hazard.verified_by = actor
    hazard.verified_at = timezone.now()
    hazard.acceptance_method = method
    hazard.acceptance_opinion = opinion
    if hazard.is_major:
        hazard.reviewed_on = reviewed_on
        hazard.reviewers = reviewers
    hazard.state = transition.leads_to(from_state)
    event = _record(hazard, actor=actor, action=HazardEvent.Action.VERIFY, from_state=from_state)
    _decide_round(hazard, actor=actor, outcome=SubmissionRound.Outcome.ACCEPTED)
    _notify_after_commit(
        hazard=hazard, actor=actor, action=event.action, recipients=[*_unit_members(hazard), hazard.submitted_by_id]
    )
    return hazard


@transaction.atomic
def close(*, actor: User, hazard_id: int, note: str = "", version: int | None = None) -> Hazard:
    """Cancel the account (销号) of an accepted hazard; a listed one only at the listing level or above."""
    hazard = _locked(actor, hazard_id, version)
    from_state = hazard.state
    transition = check("close", hazard, actor)
    hazard.state = transition.leads_to(from_state)
    hazard.closed_at = timezone.now()
    event = _record(hazard, actor=actor, action=HazardEvent.Action.CLOSE, from_state=from_state, reason=note.strip())
    _notify_after_commit(
        hazard=hazard, actor=actor, action=event.action, recipients=[*_unit_members(hazard), hazard.found_by_id]
    )
    return hazard


@transaction.atomic
def void(*, actor: User, hazard_id: int, reason: str, version: int | None = None) -> Hazard:
    """Mark a finding logged in error or twice (作废); it stays on the ledger, never deleted."""
    hazard = _locked(actor, hazard_id, version)
    transition = check("void", hazard, actor)
    reason = _require_text(reason, gettext_lazy("Say why this finding is void."))
    from_state = hazard.state
    hazard.state = transition.leads_to(from_state)
    hazard.voided_at = timezone.now()
    event = _record(hazard, actor=actor, action=HazardEvent.Action.VOID, from_state=from_state, reason=reason)
    _notify_after_commit(
        hazard=hazard,
        actor=actor,
        action=event.action,
        recipients=[hazard.found_by_id, *_unit_members(hazard)],
        note=reason,
    )
    return hazard


@transaction.atomic
def list_for_supervision(*, actor: User, hazard_id: int, level: str, version: int | None = None) -> Hazard:
    """Put a major hazard under listed supervision (挂牌督办) at a level no higher than the head's own."""
    hazard = _locked(actor, hazard_id, version)
    check("list", hazard, actor)
    if level not in LEVEL_RANK:
        raise HazardError(_("Choose the level of the listed supervision."))
    if LEVEL_RANK[level] > head_rank(actor):
        raise HazardError(_("You can list a hazard at your own level or below."))
    old = hazard.listed_level
    hazard.listed_level = level
    hazard.listed_by = actor.organization
    event = _record(
        hazard,
        actor=actor,
        action=HazardEvent.Action.LIST,
        from_state=hazard.state,
        changes={"listed_level": [old, level]},
    )
    _notify_after_commit(
        hazard=hazard,
        actor=actor,
        action=event.action,
        recipients=[*_unit_members(hazard), *hazard.named_users.values_list("pk", flat=True)],
    )
    return hazard


def _check_extension_rules(hazard: Hazard, *, new_deadline: date, today: date, calendar: WorkingCalendar) -> None:
    """Extensions in working days (settings): asked early enough, and all of them within the limit."""
    assert hazard.deadline is not None
    notice = settings.EXTENSION_REQUEST_MIN_WORKING_DAYS
    if calendar.working_days_between(today, hazard.deadline) < notice:
        raise HazardError(
            _(
                "An extension must be asked for at least %(days)d working days before the deadline: "
                "the last day to ask was %(latest)s."
            )
            % {"days": notice, "latest": calendar.add_working_days(hazard.deadline, -notice).isoformat()}
        )
    first = hazard.extension_requests.order_by("requested_at").values_list("current_deadline", flat=True).first()
    latest = (first or hazard.deadline) + timedelta(days=settings.EXTENSION_MAX_TOTAL_DAYS)
    if new_deadline > latest:
        raise HazardError(
            _("Extensions may add at most %(days)d days to the first deadline: the latest possible is %(latest)s.")
            % {"days": settings.EXTENSION_MAX_TOTAL_DAYS, "latest": latest.isoformat()}
        )


@transaction.atomic
def request_extension(
    *, actor: User, hazard_id: int, new_deadline: date | None, reason: str, version: int | None = None
) -> ExtensionRequest:
    """The rectifying unit asks, before the deadline passes, for a later one, saying why."""
    hazard = _locked(actor, hazard_id, version)
    check("request_extension", hazard, actor)
    reason = _require_text(reason, gettext_lazy("Say why more time is needed."))
    assert hazard.deadline is not None  # only assigned work, which has a deadline, may ask for more time
    if new_deadline is None or new_deadline <= hazard.deadline:
        raise HazardError(_("The new deadline must be later than the current one."))
    calendar = working_calendar()
    today = timezone.localdate()
    _check_extension_rules(hazard, new_deadline=new_deadline, today=today, calendar=calendar)
    request = ExtensionRequest.objects.create(
        hazard=hazard,
        requested_by=actor,
        current_deadline=hazard.deadline,
        new_deadline=new_deadline,
        reason=reason,
        decision_due=calendar.add_working_days(today, settings.EXTENSION_DECISION_WORKING_DAYS),
    )
    event = _record(
        hazard,
        actor=actor,
        action=HazardEvent.Action.REQUEST_EXTENSION,
        from_state=hazard.state,
        reason=reason,
        changes={"deadline": [hazard.deadline.isoformat(), new_deadline.isoformat()]},
    )
    _notify_after_commit(hazard=hazard, actor=actor, action=event.action, recipients=_assigner(hazard), note=reason)
    return request


@transaction.atomic
def decide_extension(
    *, actor: User, hazard_id: int, approve: bool, note: str = "", version: int | None = None
) -> Hazard:
    """Approve (the deadline moves, the count goes up) or deny the pending extension request."""
    hazard = _locked(actor, hazard_id, version)
    check("decide_extension", hazard, actor)
    request = hazard.extension_requests.select_for_update().get(decision=ExtensionRequest.Decision.PENDING)
    note = note.strip()
    if not approve and not note:
        raise HazardError(_("Say why the extension is denied."))
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.DENIED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save()
    changes: dict[str, list[str]] = {"decision": [ExtensionRequest.Decision.PENDING, request.decision]}
    if approve:
        assert hazard.deadline is not None  # a pending request is only ever made on assigned work
        changes["deadline"] = [hazard.deadline.isoformat(), request.new_deadline.isoformat()]
        hazard.deadline = request.new_deadline
        hazard.extension_count += 1
    event = _record(
        hazard,
        actor=actor,
        action=HazardEvent.Action.DECIDE_EXTENSION,
        from_state=hazard.state,
        reason=note,
        changes=changes,
    )
    _notify_after_commit(
        hazard=hazard,
        actor=actor,
        action=event.action,
        recipients=[request.requested_by_id],
        note=note or str(request.get_decision_display()),
    )
    return hazard


@transaction.atomic
def record_document(*, actor: User, hazard_id: int, document: str) -> HazardEvent:
    """Put an issued enforcement document (its title and number) on the hazard's timeline, and tell the unit.

    Issuing a document changes nothing of the hazard itself: no state, no version (an open form on
    the hazard stays valid). Who may issue which document is the documents app's rule.
    """
    hazard = Hazard.objects.visible_to(actor).select_related("rectifying_unit").get(pk=hazard_id)
    event = HazardEvent.objects.create(
        hazard=hazard,
        actor=actor,
        action=HazardEvent.Action.ISSUE_DOCUMENT,
        from_state=hazard.state,
        to_state=hazard.state,
        reason=document,
    )
    _notify_after_commit(
        hazard=hazard, actor=actor, action=event.action, recipients=_unit_members(hazard), note=document
    )
    return event
