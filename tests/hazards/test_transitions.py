"""The one table of transitions says what DESIGN.md section 4 draws, and everything reads it."""

import pytest

from hazards.forms import ActionForm, action_form
from hazards.transitions import BUTTONS, TRANSITIONS, target_state

# DESIGN.md section 4: the diagram's arrows, plus the actions that leave the state as it is.
EDGES = {
    ("report", ""): "reported",
    ("assign", "reported"): "assigned",
    ("start", "assigned"): "rectifying",
    ("submit", "rectifying"): "submitted",
    ("submit", "reported"): "submitted",  # rectified on the spot (立查立改), by its finder
    ("reject", "submitted"): "rectifying",
    ("verify", "submitted"): "verified",
    ("close", "verified"): "closed",
    ("void", "reported"): "void",
    ("void", "assigned"): "void",
}


def test_the_table_draws_the_designs_diagram():
    drawn = {
        (action, source): transition.target
        for action, transition in TRANSITIONS.items()
        if transition.target is not None
        for source in transition.sources
    }
    drawn[("submit", "reported")] = target_state("submit", "reported")
    assert drawn == EDGES


@pytest.mark.parametrize(("action", "source"), [("close", "submitted"), ("assign", "assigned"), ("void", "verified")])
def test_an_action_the_table_does_not_allow_is_refused(action, source):
    with pytest.raises(ValueError, match=action):
        target_state(action, source)


def test_listing_and_extensions_leave_the_state_as_it_is():
    for action in ("list", "request_extension", "decide_extension"):
        for source in TRANSITIONS[action].sources:
            assert target_state(action, source) == source


@pytest.mark.parametrize("action", BUTTONS)
def test_every_button_has_its_form_label_and_message(action):
    transition = TRANSITIONS[action]
    form = action_form(action)
    assert issubclass(form, ActionForm) and form.action == action
    assert str(transition.label) and str(transition.done)
