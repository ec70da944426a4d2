"""The demo's bulk path writes what the workflow's services would have written for the same steps.

The generator decides, for each finding, the steps taken on it (demo/history.py: the workflow's
actions with their arguments). `seed_hazards` replays them through the transition table and writes
the rows in bulk; here the same steps, regenerated from the same seed, are driven one by one through
`hazards.workflow` at the moment each was taken. Hazard by hazard, the events (action, from and to
state, the keys and value types of `changes`) and the fields that matter must be the same.
"""

from datetime import date

import pytest
import time_machine

from accounts.models import Organization
from accounts.roles import Role
from demo.hazards import LedgerGenerator
from demo.history import Step
from demo.services import seed_demo, seed_hazards
from hazards import workflow
from hazards.models import Attachment, Hazard, HazardEvent
from hazards.transitions import BUTTONS
from tests.factories import UserFactory
from tests.hazards.workflow_helpers import png_attachment

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
SEED = 11
COUNT = 200
Action = HazardEvent.Action

# What a user fills in when recording a finding (the rest is set by the workflow).
RECORDED = (
    "title",
    "description",
    "industry_id",
    "level",
    "kind",
    "legal_basis",
    "source",
    "campaign_id",
    "region_id",
    "unit_id",
    "site_name",
    "location",
    "found_on",
    "on_the_spot",
)
PLAN = ("measures", "funds", "responsible_person", "contingency_plan", "goals", "materials", "production_suspension")
MILESTONES = ("assigned_at", "started_at", "submitted_at", "verified_at", "closed_at", "voided_at")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class ServiceDriver:
    """Takes a generated hazard's steps through hazards.workflow, as users with the right roles would.

    Who acts is not compared (the services check permissions the demo's staff are not all given):
    a superuser records and decides, a member of the rectifying unit rectifies; a second
    superuser accepts what the first submitted on the spot (never the submitter).
    """

    def __init__(self):
        province = Organization.objects.get(name="湖南省应急管理厅")
        self.head = UserFactory(username="equivalence-head", organization=province, is_superuser=True)
        self.second_head = UserFactory(username="equivalence-head-2", organization=province, is_superuser=True)
        self.rectifiers: dict[int, object] = {}

    def rectifier(self, unit_id: int):
        if unit_id not in self.rectifiers:
            self.rectifiers[unit_id] = UserFactory(
                organization=Organization.objects.get(pk=unit_id), roles=[Role.RECTIFYING_UNIT]
            )
        return self.rectifiers[unit_id]

    def drive(self, row: dict, steps: list[Step]) -> Hazard:
        hazard = None
        if row["on_the_spot"]:  # report_finding records and submits at once: its submit step is done by then
            assert [step.action for step in steps[:2]] == [Action.REPORT, Action.SUBMIT]
            steps = [steps[0], *steps[2:]]
        for step in steps:
            with time_machine.travel(step.at, tick=False):
                hazard = self.take(step, row, hazard)
        return Hazard.objects.get(pk=hazard.pk)

    def take(self, step: Step, row: dict, hazard: Hazard | None) -> Hazard:
        params = step.params or {}
        rectifier = self.rectifier(row["rectifying_unit_id"]) if row.get("rectifying_unit_id") else None
        if step.action == Action.REPORT:
            new = Hazard(**{field: row[field] for field in RECORDED}, deadline=params.get("deadline"))
            if row["on_the_spot"]:
                new.measures = row["measures"]
            after = [png_attachment(self.head)] if row["on_the_spot"] else []
            return workflow.report_finding(actor=self.head, hazard=new, after_attachments=after, reason=step.reason)
        pk = hazard.pk
        match step.action:
            case Action.ASSIGN:
                unit = Organization.objects.get(pk=row["rectifying_unit_id"])
                return workflow.assign(
                    actor=self.head,
                    hazard_id=pk,
                    deadline=params["deadline"],
                    rectifying_unit=unit,
                    chain=[],
                    measures=row["measures"],
                )
            case Action.LIST:
                return workflow.list_for_supervision(actor=self.head, hazard_id=pk, level=params["level"])
            case Action.START:
                plan = {field: row.get(field) for field in PLAN}
                return workflow.start(actor=rectifier, hazard_id=pk, plan=plan)
            case Action.REQUEST_EXTENSION:
                workflow.request_extension(
                    actor=rectifier, hazard_id=pk, new_deadline=params["new_deadline"], reason=step.reason
                )
                return hazard
            case Action.DECIDE_EXTENSION:
                return workflow.decide_extension(
                    actor=self.head, hazard_id=pk, approve=params["approve"], note=step.reason
                )
            case Action.SUBMIT:
                evidence = [png_attachment(rectifier)]
                evaluation = {}
                if "evaluation_method" in params:  # a major hazard's evaluation and written application
                    evaluation = {
                        **params,
                        "evaluation_reports": [png_attachment(rectifier, stage=Attachment.Stage.EVALUATION)],
                        "applications": [png_attachment(rectifier, stage=Attachment.Stage.APPLICATION)],
                    }
                return workflow.submit(
                    actor=rectifier, hazard_id=pk, completion_report=step.reason, attachments=evidence, **evaluation
                )
            case Action.REJECT:
                return workflow.reject(actor=self.head, hazard_id=pk, reason=step.reason)
            case Action.VERIFY:
                head = self.second_head if hazard.submitted_by_id == self.head.pk else self.head
                return workflow.verify(actor=head, hazard_id=pk, opinion=step.reason, **params)
            case Action.CLOSE:
                return workflow.close(actor=self.head, hazard_id=pk, note=step.reason)
            case Action.VOID:
                return workflow.void(actor=self.head, hazard_id=pk, reason=step.reason)
        raise AssertionError(f"no service for {step.action}")


def _changes_shape(changes: dict) -> dict:
    return {key: [type(value).__name__ for value in values] for key, values in sorted(changes.items())}


def _outcome(hazard: Hazard) -> dict:
    """What must be equal: the history's shape and the fields the workflow sets."""
    events = hazard.events.order_by("at", "pk")
    return {
        "events": [(e.action, e.from_state, e.to_state, _changes_shape(e.changes)) for e in events],
        "state": hazard.state,
        "deadline": hazard.deadline,
        "extension_count": hazard.extension_count,
        "listed_level": hazard.listed_level,
        "version": hazard.version,
        "rectifying_unit": hazard.rectifying_unit_id,
        "acceptance_method": hazard.acceptance_method,
        "on_site_review": (hazard.reviewed_on, bool(hazard.reviewers)),
        "rounds": list(hazard.rounds.values_list("number", "outcome", "evaluation_method", "rejection_reason")),
        "milestones": {name: getattr(hazard, name) is not None for name in MILESTONES},
        "extension_decisions": list(hazard.extension_requests.order_by("pk").values_list("decision", flat=True)),
    }


def _differences(bulk: dict, services: dict) -> list[str]:
    return [f"{key}: bulk {bulk[key]!r}, services {services[key]!r}" for key in bulk if bulk[key] != services[key]]


def test_the_bulk_history_is_the_one_the_services_write_for_the_same_steps():
    seed_demo(password="pw-demo-2026")
    made = seed_hazards(count=COUNT, today=TODAY, seed=SEED)
    assert made["hazards"] == COUNT
    bulk = list(Hazard.objects.order_by("pk"))  # written in the order generated

    # The same seed from an empty ledger generates the same hazards and steps again.
    generator = LedgerGenerator(today=TODAY, seed=SEED, existing=0)
    generator.ensure_campaigns()
    generated = [hazard for batch in generator.batches(COUNT) for _visit, found in batch for hazard in found]
    assert [hazard.row["title"] for hazard in generated] == [hazard.title for hazard in bulk]

    taken = {step.action for hazard in generated for step in hazard.steps}
    on_the_spot = any(hazard.row["on_the_spot"] for hazard in generated)
    # The sample must exercise every action, or equality would prove little: change SEED or COUNT if not.
    assert taken == set(BUTTONS) | {Action.REPORT} and on_the_spot, sorted(taken)

    driver = ServiceDriver()
    mismatches = []
    for index, (written, hazard) in enumerate(zip(bulk, generated, strict=True)):
        through_services = driver.drive(hazard.row, hazard.steps)
        differences = _differences(_outcome(written), _outcome(through_services))
        if differences:
            mismatches.append(f"hazard {index} ({written.number} {written.title}): " + "; ".join(differences))
    assert not mismatches, "\n".join(mismatches)
