"""A demo hazard's history: the steps someone took, replayed through the workflow's transition table.

The generator (demo/hazards.py) decides what happens to a finding as a list of `Step`s — the same
actions, with the same arguments, that a user takes through `hazards.workflow`. `replay` turns them
into the events the workflow would have written and the fields it would have set: every from/to
state comes from `hazards.transitions.target_state` (never by hand), and `changes` hold values
(codes, ISO dates), as the workflow stores them. tests/demo/test_equivalence.py drives the same
steps through the services themselves and compares.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from hazards.models import ExtensionRequest, HazardEvent, SubmissionRound
from hazards.transitions import target_state

Action = HazardEvent.Action


class Step(NamedTuple):  # a tuple: millions are made for a large ledger
    """One action on a hazard: when, which, by whom, the reason or text written, and its arguments.

    `params` are the action's arguments in `hazards.workflow`: report {"deadline"} (on the spot),
    assign {"deadline"}, list {"level"}, request_extension {"new_deadline"}, decide_extension
    {"approve"}, verify {"method"} (and for a major hazard {"reviewed_on", "reviewers"}), submit of a
    major hazard {"evaluation_method", "evaluating_body"}.
    """

    at: datetime
    action: str
    actor: int
    reason: str = ""
    params: dict[str, Any] | None = None


@dataclass(slots=True)
class Replay:
    """What the workflow would have written for the steps: the events and the fields they set."""

    state: str = ""
    # (at, action, from_state, to_state, actor, reason, changes), as HazardEvent rows
    events: list[tuple] = field(default_factory=list)
    deadline: date | None = None
    extension_count: int = 0
    listed_level: str = ""
    version: int = 1  # the workflow's optimistic lock: one more per action after the recording
    # First time of each action (assign, start, verify, close, void); the last submit's step.
    first: dict[str, datetime] = field(default_factory=dict)
    last_submit: Step | None = None
    last_verify: Step | None = None
    # ExtensionRequest rows (dicts of attnames without the hazard).
    extension_requests: list[dict] = field(default_factory=list)
    # SubmissionRound rows, one per submission, decided by the rejection or acceptance that follows.
    rounds: list[dict] = field(default_factory=list)

    @property
    def started_at(self) -> datetime | None:
        # A finding rectified on the spot is started and submitted as it is recorded (report_finding).
        return self.first.get(Action.START) or self.first.get("on_the_spot")


def replay(steps: list[Step]) -> Replay:
    """The events and fields the workflow would have produced for `steps`, taken in order.

    Raises ValueError when a step is not allowed from the state the previous ones left.
    """
    result = Replay()
    state = ""
    deadline: date | None = None
    first = result.first
    for step in steps:
        action = step.action
        to_state = target_state(action, state)
        changes: dict[str, list] = {}
        params = step.params or {}
        if action == Action.REPORT:
            if params:
                deadline = params.get("deadline", deadline)
        elif action == Action.ASSIGN:
            deadline = params["deadline"]
        elif action == Action.SUBMIT:
            result.last_submit = step
            result.rounds.append(
                {
                    "number": len(result.rounds) + 1,
                    "completion_report": step.reason,
                    "submitted_by_id": step.actor,
                    "submitted_at": step.at,
                    "evaluation_method": params.get("evaluation_method", ""),
                    "evaluating_body": params.get("evaluating_body", ""),
                    "outcome": SubmissionRound.Outcome.PENDING,
                }
            )
            if state == "reported":
                first.setdefault("on_the_spot", step.at)
                changes = {"on_the_spot": [False, True]}
        elif action in (Action.REJECT, Action.VERIFY):
            rejected = action == Action.REJECT
            result.rounds[-1].update(
                outcome=SubmissionRound.Outcome.REJECTED if rejected else SubmissionRound.Outcome.ACCEPTED,
                decided_by_id=step.actor,
                decided_at=step.at,
                rejection_reason=step.reason if rejected else "",
            )
            if not rejected:
                result.last_verify = step
        elif action == Action.LIST:
            changes = {"listed_level": [result.listed_level, params["level"]]}
            result.listed_level = params["level"]
        elif action == Action.REQUEST_EXTENSION:
            new_deadline = params["new_deadline"]
            assert deadline is not None, "an extension is asked for an assigned hazard, which has a deadline"
            changes = {"deadline": [deadline.isoformat(), new_deadline.isoformat()]}
            result.extension_requests.append(
                {
                    "requested_by_id": step.actor,
                    "requested_at": step.at,
                    "current_deadline": deadline,
                    "new_deadline": new_deadline,
                    "reason": step.reason,
                    "decision_due": params.get("decision_due"),
                }
            )
        elif action == Action.DECIDE_EXTENSION:
            request = result.extension_requests[-1]
            approved = params["approve"]
            decision = ExtensionRequest.Decision.APPROVED if approved else ExtensionRequest.Decision.DENIED
            changes = {"decision": [ExtensionRequest.Decision.PENDING, decision]}
            request.update(
                decision=decision,
                decided_by_id=step.actor,
                decided_at=step.at,
                decision_note=step.reason,
            )
            if approved:
                assert deadline is not None, "an extension is decided for an assigned hazard, which has a deadline"
                changes["deadline"] = [deadline.isoformat(), request["new_deadline"].isoformat()]
                deadline = request["new_deadline"]
                result.extension_count += 1
        # Each action after the recording counts a version; report_finding submits on the spot in the same save.
        if action != Action.REPORT and not (action == Action.SUBMIT and state == "reported"):
            result.version += 1
        first.setdefault(action, step.at)
        result.events.append((step.at, action, state, to_state, step.actor, step.reason, changes))
        state = to_state
    result.state = state
    result.deadline = deadline
    return result
