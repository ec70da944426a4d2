"""The table of the workflow's transitions: which action may be taken from which state, and to what.

PLACEHOLDER FOR THE MERGE: the lead is writing the real module (with labels, who may act, forms,
messages, button styles); this minimal copy of its interface lets the demo's generator run on the
`demo` branch and is to be replaced by the lead's on merge. Only `Transition.action`, `.sources`,
`.target`, `TRANSITIONS` and `target_state` are relied upon.
"""

from dataclasses import dataclass

from hazards.models import HazardState

State = HazardState
OPEN = frozenset({State.REPORTED, State.ASSIGNED, State.RECTIFYING, State.SUBMITTED, State.VERIFIED})
IN_WORK = frozenset({State.ASSIGNED, State.RECTIFYING})


@dataclass(frozen=True)
class Transition:
    action: str  # a HazardEvent.Action value
    sources: frozenset[str]  # states it may be taken from ("" for report: a new finding)
    target: str | None  # state after it; None = the state does not change


TRANSITIONS: dict[str, Transition] = {
    transition.action: transition
    for transition in (
        Transition("report", frozenset({""}), State.REPORTED),
        Transition("assign", frozenset({State.REPORTED}), State.ASSIGNED),
        Transition("start", frozenset({State.ASSIGNED}), State.RECTIFYING),
        # From reported too: a finding rectified on the spot (立查立改) is submitted as it is recorded.
        Transition("submit", frozenset({State.RECTIFYING, State.REPORTED}), State.SUBMITTED),
        Transition("reject", frozenset({State.SUBMITTED}), State.RECTIFYING),
        Transition("verify", frozenset({State.SUBMITTED}), State.VERIFIED),
        Transition("close", frozenset({State.VERIFIED}), State.CLOSED),
        Transition("void", frozenset({State.REPORTED, State.ASSIGNED}), State.VOID),
        Transition("list", OPEN, None),
        Transition("request_extension", IN_WORK, None),
        Transition("decide_extension", IN_WORK, None),
        Transition("edit", frozenset({State.REPORTED}), None),
    )
}


def target_state(action: str, from_state: str) -> str:
    """State after `action` from `from_state` (from_state itself when target is None);
    raises ValueError when the table does not allow `action` from `from_state`."""
    transition = TRANSITIONS.get(action)
    if transition is None or from_state not in transition.sources:
        raise ValueError(f"{action!r} is not allowed from {from_state!r}")
    return from_state if transition.target is None else transition.target
