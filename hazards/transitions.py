"""The one table of a hazard's transitions (DESIGN.md section 4).

For each action: its name, the states it may be taken from, the state it leads to, who may take it,
the further conditions it checks, its button's label and style, its form and the message once done.
`hazards/workflow.py` applies the changes, the detail page's buttons and forms, the views' messages
and the demo's replayed history all read this table; nothing else says which action goes where.

    reported ──assign──▶ assigned ──start──▶ rectifying ──submit──▶ submitted ──verify──▶ verified ──close──▶ closed
       │                    │                    ▲                      │
       └──void──▶ void ◀────┘                    └──────reject──────────┘
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import User
from accounts.roles import Role
from hazards.models import Attachment, ExtensionRequest, Hazard, HazardEvent, SubmissionRound
from hazards.states import HazardState
from hunan_safety.compiled import CompiledQuery
from hunan_safety.lazy import LazyText


class HazardError(Exception):
    """A refused action, with a message the user can read."""


class HazardNotFound(Exception):
    """The hazard does not exist or the user may not see it; views answer 404, never 403."""


# --- Who may act ------------------------------------------------------------------------------

LEVEL_RANK = {"county": 1, "city": 2, "province": 3}


def is_reporter(user: User) -> bool:
    return user.has_role(Role.INSPECTOR) or user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser


def is_head(user: User) -> bool:
    return user.has_role(Role.DEPARTMENT_HEAD) or user.is_superuser


def is_rectifier_of(hazard: Hazard, user: User) -> bool:
    return (
        user.has_role(Role.RECTIFYING_UNIT)
        and user.organization_id is not None
        and user.organization_id == hazard.rectifying_unit_id
    )


def head_rank(user: User) -> int:
    """The level of the user's jurisdiction: 1 county, 2 city, 3 province (0 without one)."""
    if user.is_superuser:
        return LEVEL_RANK["province"]
    region = user.jurisdiction
    return LEVEL_RANK.get(region.level, 0) if region else 0


@dataclass(frozen=True)
class Actor:
    """Who may take an action, and what a refusal says."""

    allows: Callable[[Hazard, User], bool]
    refusal: LazyText


HEAD = Actor(lambda hazard, user: is_head(user), gettext_lazy("Only a department head can do this."))
RECTIFIER = Actor(is_rectifier_of, gettext_lazy("Only the rectifying unit can do this."))
RECTIFIER_OR_HEAD = Actor(
    lambda hazard, user: is_rectifier_of(hazard, user) or is_head(user),
    gettext_lazy("Only the rectifying unit or a department head can start the rectification."),
)
REPORTER = Actor(
    lambda hazard, user: is_reporter(user), gettext_lazy("Only inspectors and department heads record findings.")
)


def is_unit_of(hazard: Hazard, user: User) -> bool:
    """A user of the unit the hazard was found at: who records the unit's own findings (企业自查自报)."""
    return (
        user.has_role(Role.RECTIFYING_UNIT)
        and user.organization_id is not None
        and user.organization_id == hazard.unit_id
    )


UNIT_SELF_CHECK = Actor(is_unit_of, gettext_lazy("Only the unit's own users record the hazards it found itself."))


# --- Conditions beyond who and from which state -------------------------------------------------


def _not_the_submitter(hazard: Hazard, user: User) -> None:
    if hazard.submitted_by_id == user.pk:
        raise HazardError(_("You submitted this rectification: someone else must accept it."))


def _major_evaluated(hazard: Hazard, user: User) -> None:
    """A major hazard's submission carries the evaluation by experts or an agency and the written application."""
    if not hazard.is_major:
        return
    submission = hazard.rounds.filter(outcome=SubmissionRound.Outcome.PENDING).first()
    stages = set(submission.attachments.values_list("stage", flat=True)) if submission else set()
    if (
        submission is None
        or submission.evaluation_method not in Hazard.MAJOR_ACCEPTANCE_METHODS
        or not {Attachment.Stage.EVALUATION, Attachment.Stage.APPLICATION} <= stages
    ):
        raise HazardError(
            _(
                "This major hazard was submitted without an evaluation by experts or a qualified agency and the "
                "unit's written application (SAWS Order 16, art. 18): reject it and ask the unit for them."
            )
        )


def _not_the_units_own(hazard: Hazard, user: User) -> None:
    # A supervised unit (an enterprise, another unit of the register) never accepts its own
    # rectification, whoever in it submitted it (企业自查 included); the ids are compared first, so
    # that the usual case costs no query.
    unit = hazard.rectifying_unit if user.organization_id == hazard.rectifying_unit_id else None
    if unit is not None and unit.is_register_unit:
        raise HazardError(_("A unit cannot accept its own rectification: the supervising department does."))


def _at_the_listing_level(hazard: Hazard, user: User) -> None:
    if hazard.listed_level and head_rank(user) < LEVEL_RANK[hazard.listed_level]:
        raise HazardError(
            _(
                "This major hazard is under listed supervision at %(level)s level: only a head at that level or above can close it."
            )
            % {"level": hazard.get_listed_level_display()}
        )


def _may_list(hazard: Hazard, user: User) -> None:
    if not hazard.is_major:
        raise HazardError(_("Only a major hazard can be put under listed supervision."))
    if head_rank(user) == 0:
        raise HazardError(_("Your jurisdiction has no level at which to list a hazard."))
    if hazard.listed_level and head_rank(user) < LEVEL_RANK[hazard.listed_level]:
        raise HazardError(
            _("This hazard is listed at %(level)s level: only a head at that level or above can change the listing.")
            % {"level": hazard.get_listed_level_display()}
        )


def _extension_may_be_asked(hazard: Hazard, user: User) -> None:
    if hazard.deadline is None:
        raise HazardError(_("This hazard has no deadline to extend."))
    if hazard.deadline < timezone.localdate():
        raise HazardError(_("The deadline has passed: an extension must be asked for before it."))
    if hazard.extension_requests.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise HazardError(_("An extension request is already waiting for a decision."))


# Asked of every hazard page a head opens (the decide button): compiled once (hunan_safety/compiled.py).
_PENDING_EXTENSION = CompiledQuery(
    lambda hazard_id: ExtensionRequest.objects.filter(
        hazard_id=hazard_id, decision=ExtensionRequest.Decision.PENDING
    ).values_list("pk", flat=True)[:1],
    "hazard_id",
)


def _extension_is_pending(hazard: Hazard, user: User) -> None:
    if not _PENDING_EXTENSION.run(hazard_id=hazard.pk):
        raise HazardError(_("No extension request is waiting for a decision."))


# --- The table ---------------------------------------------------------------------------------

S = HazardState
# Every state but the two final ones: the listing of a major hazard may change until it is closed.
NOT_FINAL = frozenset(S) - {S.CLOSED, S.VOID}


@dataclass(frozen=True)
class Transition:
    action: str  # a HazardEvent.Action value
    sources: frozenset[str]  # the states it may be taken from ("" for a finding not yet on the ledger)
    target: str | None  # the state it leads to; None: the state stays (listing, extensions, edits)
    actor: Actor
    label: LazyText = gettext_lazy("")  # the button
    done: LazyText = gettext_lazy("")  # the message once it is done
    style: str = "primary"  # the button's Bootstrap style
    form: str = ""  # the name of its form class in hazards.forms; "" for actions without a button
    conditions: tuple[Callable[[Hazard, User], None], ...] = field(default=())

    @property
    def is_button(self) -> bool:
        return bool(self.form)

    def leads_to(self, from_state: str) -> str:
        """The state after this transition from `from_state`: its target, or the same state when it has none."""
        return self.target or from_state


Action = HazardEvent.Action

TRANSITIONS: dict[str, Transition] = {
    transition.action: transition
    for transition in (
        Transition(Action.REPORT, frozenset({""}), S.REPORTED, REPORTER),
        Transition(Action.EDIT, frozenset({S.REPORTED}), None, REPORTER),
        Transition(
            Action.ASSIGN,
            frozenset({S.REPORTED}),
            S.ASSIGNED,
            HEAD,
            label=gettext_lazy("Assign"),
            done=gettext_lazy("Assigned: the rectifying unit and the people on the chain are told."),
            form="AssignForm",
        ),
        Transition(
            Action.START,
            frozenset({S.ASSIGNED}),
            S.RECTIFYING,
            RECTIFIER_OR_HEAD,
            label=gettext_lazy("Start rectification"),
            done=gettext_lazy("Rectification started."),
            form="StartForm",
        ),
        Transition(
            Action.SUBMIT,
            frozenset({S.RECTIFYING}),
            S.SUBMITTED,
            RECTIFIER,
            label=gettext_lazy("Submit for acceptance"),
            done=gettext_lazy("Submitted for acceptance."),
            form="SubmitForm",
        ),
        Transition(
            Action.REJECT,
            frozenset({S.SUBMITTED}),
            S.RECTIFYING,
            HEAD,
            label=gettext_lazy("Reject the rectification"),
            done=gettext_lazy("Sent back to the rectifying unit."),
            style="outline-danger",
            form="RejectForm",
        ),
        Transition(
            Action.VERIFY,
            frozenset({S.SUBMITTED}),
            S.VERIFIED,
            HEAD,
            label=gettext_lazy("Accept the rectification"),
            done=gettext_lazy("Rectification accepted."),
            style="success",
            form="VerifyForm",
            conditions=(_not_the_submitter, _not_the_units_own, _major_evaluated),
        ),
        Transition(
            Action.CLOSE,
            frozenset({S.VERIFIED}),
            S.CLOSED,
            HEAD,
            label=gettext_lazy("Cancel the ledger entry (close)"),
            done=gettext_lazy("Ledger entry cancelled (closed)."),
            style="success",
            form="CloseForm",
            conditions=(_at_the_listing_level,),
        ),
        Transition(
            Action.VOID,
            frozenset({S.REPORTED, S.ASSIGNED}),
            S.VOID,
            HEAD,
            label=pgettext_lazy("action", "Void"),
            done=gettext_lazy("The finding is void."),
            style="outline-secondary",
            form="VoidForm",
        ),
        Transition(
            Action.LIST,
            NOT_FINAL,
            None,
            HEAD,
            label=gettext_lazy("List for supervision"),
            done=gettext_lazy("Put under listed supervision."),
            form="ListForm",
            conditions=(_may_list,),
        ),
        Transition(
            Action.REQUEST_EXTENSION,
            frozenset({S.ASSIGNED, S.RECTIFYING}),
            None,
            RECTIFIER,
            label=gettext_lazy("Ask for an extension"),
            done=gettext_lazy("Extension requested."),
            form="ExtensionRequestForm",
            conditions=(_extension_may_be_asked,),
        ),
        Transition(
            Action.DECIDE_EXTENSION,
            frozenset({S.ASSIGNED, S.RECTIFYING}),
            None,
            HEAD,
            label=gettext_lazy("Decide the extension"),
            done=gettext_lazy("Extension decided."),
            form="DecideExtensionForm",
            conditions=(_extension_is_pending,),
        ),
    )
}

# A finding rectified on the spot (立查立改) is submitted by its finder as it is put on the ledger:
# the same action as the unit's submission, from another state and by another person.
ON_THE_SPOT = Transition(Action.SUBMIT, frozenset({S.REPORTED}), S.SUBMITTED, REPORTER)

# A hazard a unit found itself (企业自查自报) is reported by the unit's own user; a general one the unit
# can fix alone it starts rectifying at once, with its own plan and deadline, and submits for the
# department's acceptance as usual. A major one, or one needing government coordination, stays
# reported: it waits in the department's queue to be assigned.
SELF_REPORT = Transition(Action.REPORT, frozenset({""}), S.REPORTED, UNIT_SELF_CHECK)
SELF_RECTIFY = Transition(Action.START, frozenset({S.REPORTED}), S.RECTIFYING, UNIT_SELF_CHECK)

# The actions a user takes with a button on the hazard's page, in the order the buttons stand.
BUTTONS = tuple(action for action, transition in TRANSITIONS.items() if transition.is_button)


def target_state(action: str, from_state: str) -> str:
    """The state after `action` from `from_state`; ValueError when the table does not allow it."""
    for transition in (TRANSITIONS[action], ON_THE_SPOT, SELF_REPORT, SELF_RECTIFY):
        if transition.action == action and from_state in transition.sources:
            return transition.leads_to(from_state)
    raise ValueError(f"{action} is not allowed from {from_state or 'a new finding'!r}")


def check(action: str, hazard: Hazard, user: User) -> Transition:
    """Raise HazardError, saying why, unless `user` may take `action` on `hazard` now."""
    transition = TRANSITIONS[action]
    if not transition.actor.allows(hazard, user):
        raise HazardError(str(transition.actor.refusal))
    if hazard.state not in transition.sources:
        raise HazardError(
            _("This cannot be done while the hazard is %(state)s.") % {"state": HazardState(hazard.state).label}
        )
    for condition in transition.conditions:
        condition(hazard, user)
    return transition


def allowed_actions(hazard: Hazard, user: User) -> list[str]:
    """The buttons this user may press on this hazard now: the one answer for pages and the API."""
    allowed = []
    for action in BUTTONS:
        try:
            check(action, hazard, user)
        except HazardError:
            continue
        allowed.append(action)
    return allowed
