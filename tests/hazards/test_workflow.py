"""The workflow (DESIGN.md section 4): who may do what, in which state, and what each action leaves behind.

The scene: a major fireworks-production hazard in 浏阳市 (430181), found by the 浏阳 inspector, at
the rectifier's works. Six people look at it: the 长沙市 head (in scope), a 株洲市 head (out of
scope), the rectifying unit, another enterprise's rectifier, the inspector who found it and
provincial staff. A table says which actions each may take in which state; everything else is
refused with a readable reason (in scope) or a 404 (out of scope), and changes nothing.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from accounts.roles import Role
from hazards import workflow
from hazards.models import Attachment, ExtensionRequest, Hazard, HazardEvent, HazardState
from hazards.workflow import HazardError, HazardNotFound, allowed_actions
from notifications.models import Notification
from tests.factories import UserFactory, persona, region
from tests.hazards.workflow_helpers import (
    FULL_PLAN,
    ask_extension,
    button_actions,
    county_head,
    dual_head,
    head_out_of_scope,
    in_days,
    major_evaluation,
    move_to,
    on_site_review,
    other_rectifier,
    png_attachment,
    png_bytes,
    report,
    second_head,
    snapshot,
    text,
)
from tests.hazards.workflow_helpers import assign as assign_to
from tests.hazards.workflow_helpers import start as start_with_plan
from tests.hazards.workflow_helpers import submit as submit_with_photo
from tests.hazards.workflow_helpers import verify as verify_by

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(head, rectifier, inspector, province):
    return {
        "head": head,
        "head_out": head_out_of_scope(),
        "rectifier": rectifier,
        "other_rectifier": other_rectifier(),
        "inspector": inspector,
        "province": province,
    }


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def major_finding(people) -> Hazard:
    return report(people["inspector"], level=Hazard.Level.MAJOR, unit=people["rectifier"].organization)


def general_finding(people, **fields) -> Hazard:
    return report(people["inspector"], unit=people["rectifier"].organization, **fields)


PENDING = "rectifying+pending"  # rectifying, with an extension request waiting for a decision


def scene(people, state: str) -> Hazard:
    """The major hazard in `state`, reached through the real workflow; PENDING adds an extension request."""
    hazard = major_finding(people)
    move_to(hazard, state.split("+")[0], head=people["head"], rectifier=people["rectifier"])
    if state == PENDING:
        ask_extension(hazard, people["rectifier"])
    hazard.refresh_from_db()
    return hazard


# --- The matrix ------------------------------------------------------------------------------

ROLES = ["head", "head_out", "rectifier", "other_rectifier", "inspector", "province"]
# These two cannot see the hazard at all: to them it does not exist.
OUT_OF_SCOPE = {"head_out", "other_rectifier"}

OPEN = ["reported", "assigned", "rectifying", PENDING, "submitted", "verified"]
SCENES = [*OPEN, "closed", "void"]

# action: (the states it is done from, a state in which it is refused, who may do it, the state after
# it — None when the state does not change)
TRANSITIONS = {
    "assign": (["reported"], "assigned", {"head"}, "assigned"),
    "start": (["assigned"], "rectifying", {"head", "rectifier"}, "rectifying"),
    "submit": (["rectifying", PENDING], "assigned", {"rectifier"}, "submitted"),
    "reject": (["submitted"], "verified", {"head"}, "rectifying"),
    "verify": (["submitted"], "rectifying", {"head"}, "verified"),
    "close": (["verified"], "submitted", {"head"}, "closed"),
    "void": (["reported", "assigned"], "rectifying", {"head"}, "void"),
    "list": (OPEN, "closed", {"head"}, None),
    "request_extension": (["assigned", "rectifying"], "submitted", {"rectifier"}, None),
    "decide_extension": ([PENDING], "rectifying", {"head"}, None),
}

DONE, REFUSED, NOT_FOUND = "done", "refused", "404"


def sees(role: str, state: str) -> bool:
    # The rectifying unit sees the hazard once it is assigned to it, not the finding at its works before.
    return role not in OUT_OF_SCOPE and not (role == "rectifier" and state in ("reported", "void"))


def expected(action: str, role: str, state: str) -> str:
    if not sees(role, state):
        return NOT_FOUND
    from_states, _refused_in, who, _after = TRANSITIONS[action]
    return DONE if state in from_states and role in who else REFUSED


def perform(action: str, actor, hazard: Hazard, people):
    """The action with valid input, so that only role, scope and state decide."""
    pk = hazard.pk
    if action == "assign":
        unit = people["rectifier"].organization
        return workflow.assign(actor=actor, hazard_id=pk, deadline=in_days(30), rectifying_unit=unit)
    if action == "start":
        return workflow.start(actor=actor, hazard_id=pk, plan=FULL_PLAN)
    if action == "submit":
        report_text = "整改完成。"
        return workflow.submit(
            actor=actor,
            hazard_id=pk,
            completion_report=report_text,
            attachments=[png_attachment(actor)],
            **major_evaluation(actor),
        )
    if action == "reject":
        return workflow.reject(actor=actor, hazard_id=pk, reason="现场仍有超量药物。")
    if action == "verify":
        return workflow.verify(
            actor=actor, hazard_id=pk, method=Hazard.AcceptanceMethod.EXPERT, opinion="合格。", **on_site_review()
        )
    if action == "close":
        return workflow.close(actor=actor, hazard_id=pk, note="逐一对账销号。")
    if action == "void":
        return workflow.void(actor=actor, hazard_id=pk, reason="重复录入。")
    if action == "list":
        return workflow.list_for_supervision(actor=actor, hazard_id=pk, level=Hazard.ListedLevel.COUNTY)
    if action == "request_extension":
        return workflow.request_extension(
            actor=actor,
            hazard_id=pk,
            new_deadline=(hazard.deadline or in_days(0)) + timedelta(days=20),
            reason="雨季。",
        )
    if action == "decide_extension":
        return workflow.decide_extension(actor=actor, hazard_id=pk, approve=True)
    raise AssertionError(action)


def matrix_cases():
    for action, (from_states, refused_in, _who, _after) in TRANSITIONS.items():
        for state in dict.fromkeys([from_states[0], refused_in, *from_states[1:2]]):
            for role in ROLES:
                yield pytest.param(action, role, state, id=f"{action}-{role}-{state}")


def assert_readable(message: str) -> None:
    """A sentence a user can act on, not an exception's repr."""
    assert len(message) > 15, message
    assert message[0].isupper() and message.rstrip()[-1] in ".!", message
    assert "Error" not in message and "<" not in message, message


@pytest.mark.parametrize(("action", "role", "state"), list(matrix_cases()))
def test_each_action_by_each_person_in_the_right_and_a_wrong_state(action, role, state, people):
    hazard = scene(people, state)
    actor = people[role]
    before = snapshot(hazard)
    last_event = HazardEvent.objects.filter(hazard=hazard).order_by("id").last()
    outcome = expected(action, role, state)

    if outcome == DONE:
        perform(action, actor, hazard, people)
        new_events = list(HazardEvent.objects.filter(hazard=hazard, id__gt=last_event.id))
        assert len(new_events) == 1
        event = new_events[0]
        after = TRANSITIONS[action][3] or hazard.state
        assert (event.action, event.from_state, event.to_state, event.actor) == (action, hazard.state, after, actor)
        hazard.refresh_from_db()
        assert hazard.state == after
        assert hazard.version == before[1] + 1
    elif outcome == NOT_FOUND:
        with pytest.raises(HazardNotFound):
            perform(action, actor, hazard, people)
        assert snapshot(hazard) == before
    else:
        with translation.override("en"), pytest.raises(HazardError) as refusal:
            perform(action, actor, hazard, people)
        assert_readable(str(refusal.value))
        assert snapshot(hazard) == before


def allowed_cases():
    for state in SCENES:
        for role in ROLES:
            if sees(role, state):
                yield pytest.param(role, state, id=f"{role}-{state}")


@pytest.mark.parametrize(("role", "state"), list(allowed_cases()))
def test_the_buttons_shown_are_the_actions_the_matrix_allows(role, state, people, client):
    hazard = scene(people, state)
    actor = people[role]
    wanted = {action for action in TRANSITIONS if expected(action, role, state) == DONE}

    assert set(allowed_actions(hazard, actor)) == wanted
    client.force_login(actor)
    response = client.get(f"/hazards/{hazard.pk}/")
    assert response.status_code == 200
    assert button_actions(response.content.decode()) == allowed_actions(hazard, actor)


@pytest.mark.parametrize("role", sorted(OUT_OF_SCOPE))
def test_out_of_scope_people_get_a_404_for_the_page_as_well(role, people, client):
    hazard = scene(people, "submitted")
    client.force_login(people[role])
    assert client.get(f"/hazards/{hazard.pk}/").status_code == 404


# --- Through the web -------------------------------------------------------------------------


def test_a_refused_action_posted_is_a_400_with_the_reason_and_changes_nothing(english, people):
    hazard = scene(people, "submitted")
    before = snapshot(hazard)
    english.force_login(people["inspector"])

    response = english.post(
        f"/hazards/{hazard.pk}/act/verify/",
        {
            "verify-version": hazard.version,
            "verify-method": "expert",
            "verify-opinion": "合格。",
            "verify-reviewed_on": in_days(0).isoformat(),
            "verify-reviewers": "李科长",
        },
    )

    assert response.status_code == 400
    assert "Only a department head can do this." in response.content.decode()
    assert snapshot(hazard) == before


def test_an_action_posted_without_its_required_input_is_a_400_and_changes_nothing(english, people):
    hazard = scene(people, "submitted")
    before = snapshot(hazard)
    english.force_login(people["head"])

    response = english.post(
        f"/hazards/{hazard.pk}/act/reject/", {"reject-version": hazard.version, "reject-reason": ""}
    )

    assert response.status_code == 400
    assert response.context["open_action"] == "reject"
    assert response.context["action_forms"]["reject"].errors["reason"]
    assert snapshot(hazard) == before


def test_an_action_posted_by_someone_out_of_scope_is_a_404(client, people):
    hazard = scene(people, "submitted")
    before = snapshot(hazard)
    client.force_login(people["head_out"])

    response = client.post(
        f"/hazards/{hazard.pk}/act/reject/", {"reject-version": hazard.version, "reject-reason": "x"}
    )

    assert response.status_code == 404
    assert snapshot(hazard) == before


def test_an_unknown_action_is_a_404(client, people):
    hazard = scene(people, "submitted")
    client.force_login(people["head"])
    assert client.post(f"/hazards/{hazard.pk}/act/approve_all/", {}).status_code == 404


def test_an_allowed_action_posted_redirects_to_the_detail_page(client, people):
    hazard = scene(people, "submitted")
    client.force_login(people["head"])

    response = client.post(
        f"/hazards/{hazard.pk}/act/reject/", {"reject-version": hazard.version, "reject-reason": "安全出口仍被堵塞。"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/hazards/{hazard.pk}/"
    hazard.refresh_from_db()
    assert hazard.state == HazardState.RECTIFYING
    assert HazardEvent.objects.get(hazard=hazard, action="reject").reason == "安全出口仍被堵塞。"


def test_assigning_through_the_form(client, people):
    hazard = major_finding(people)
    unit = people["rectifier"].organization
    client.force_login(people["head"])

    response = client.post(
        f"/hazards/{hazard.pk}/act/assign/",
        {
            "assign-version": hazard.version,
            "assign-rectifying_unit": unit.pk,
            "assign-deadline": in_days(20).isoformat(),
            "assign-measures": "立即停产整改。",
        },
    )

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.state, hazard.rectifying_unit, hazard.deadline) == (HazardState.ASSIGNED, unit, in_days(20))
    assert hazard.measures == "立即停产整改。"


def test_submitting_through_the_form_with_a_photo(client, people):
    hazard = scene(people, "rectifying")
    client.force_login(people["rectifier"])

    response = client.post(
        f"/hazards/{hazard.pk}/act/submit/",
        {
            "submit-version": hazard.version,
            "submit-completion_report": "已整改。",
            "submit-after_photos": SimpleUploadedFile("after.png", png_bytes(), content_type="image/png"),
            "submit-evaluation_method": "agency",
            "submit-evaluating_body": "湖南某安全评价有限公司",
            "submit-evaluation_report": SimpleUploadedFile("report.png", png_bytes(), content_type="image/png"),
            "submit-application": SimpleUploadedFile("apply.png", png_bytes(), content_type="image/png"),
        },
    )

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.state == HazardState.SUBMITTED
    assert hazard.attachments.filter(stage=Attachment.Stage.AFTER).count() == 1


def test_a_stale_form_is_refused_with_a_message(english, people):
    hazard = scene(people, "submitted")
    stale = hazard.version
    workflow.reject(actor=people["head"], hazard_id=hazard.pk, reason="照片不清楚。")
    submit_with_photo(hazard, people["rectifier"])
    hazard.refresh_from_db()
    before = snapshot(hazard)
    english.force_login(people["head"])

    response = english.post(
        f"/hazards/{hazard.pk}/act/verify/",
        {
            "verify-version": stale,
            "verify-method": "expert",
            "verify-opinion": "合格。",
            "verify-reviewed_on": in_days(0).isoformat(),
            "verify-reviewers": "李科长",
        },
    )

    assert response.status_code == 400
    assert "Reload the page" in text(response.content.decode())
    assert snapshot(hazard) == before


def test_the_service_refuses_a_stale_version(people):
    hazard = scene(people, "submitted")
    before = snapshot(hazard)
    with translation.override("en"), pytest.raises(HazardError, match="Reload the page") as refusal:
        workflow.reject(actor=people["head"], hazard_id=hazard.pk, reason="不合格。", version=hazard.version - 1)
    assert_readable(str(refusal.value))
    assert snapshot(hazard) == before
    # The current version goes through.
    workflow.reject(actor=people["head"], hazard_id=hazard.pk, reason="不合格。", version=hazard.version)


# --- Preconditions ---------------------------------------------------------------------------


def refusal_of(call) -> str:
    with translation.override("en"), pytest.raises(HazardError) as refusal:
        call()
    message = str(refusal.value)
    assert_readable(message)
    return message


def test_a_major_hazard_cannot_start_without_the_five_musts(people):
    hazard = major_finding(people)
    assign_to(hazard, people["head"], people["rectifier"].organization)
    before = snapshot(hazard)

    message = refusal_of(
        lambda: workflow.start(actor=people["rectifier"], hazard_id=hazard.pk, plan={"measures": "停产整改。"})
    )

    for missing in (
        "person responsible",
        "funds",
        "contingency plan",
        "rectification goals",
        "production suspension",
    ):
        assert missing in message
    assert "rectification measures" not in message
    assert snapshot(hazard) == before


def test_a_major_hazard_start_names_only_what_is_still_missing(people):
    hazard = major_finding(people)
    assign_to(hazard, people["head"], people["rectifier"].organization)
    plan = {key: value for key, value in FULL_PLAN.items() if key not in ("funds", "contingency_plan")}

    message = refusal_of(lambda: workflow.start(actor=people["rectifier"], hazard_id=hazard.pk, plan=plan))

    assert "funds" in message and "contingency plan" in message
    for given in ("person responsible", "rectification goals", "production suspension"):
        assert given not in message
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ASSIGNED
    assert hazard.responsible_person == ""  # nothing of the refused plan was kept


def test_a_major_hazard_starts_with_the_five_musts_and_keeps_the_plan(people):
    hazard = major_finding(people)
    assign_to(hazard, people["head"], people["rectifier"].organization)

    workflow.start(actor=people["rectifier"], hazard_id=hazard.pk, plan=FULL_PLAN)

    hazard.refresh_from_db()
    assert hazard.state == HazardState.RECTIFYING
    assert hazard.started_at is not None
    assert (hazard.responsible_person, hazard.funds, hazard.production_suspension) == (
        "李厂长",
        Decimal("12.50"),
        Hazard.ProductionSuspension.PARTIAL,
    )


def test_a_general_hazard_needs_measures_to_start(people):
    hazard = general_finding(people)
    assign_to(hazard, people["head"], people["rectifier"].organization)
    before = snapshot(hazard)

    message = refusal_of(lambda: workflow.start(actor=people["rectifier"], hazard_id=hazard.pk, plan={}))
    assert "measures" in message
    assert snapshot(hazard) == before

    # Measures given at assignment are enough.
    other = general_finding(people)
    assign_to(other, people["head"], people["rectifier"].organization, measures="清理通道。")
    workflow.start(actor=people["rectifier"], hazard_id=other.pk, plan={})
    other.refresh_from_db()
    assert other.state == HazardState.RECTIFYING


def test_submit_needs_a_completion_report(people):
    hazard = scene(people, "rectifying")
    before = snapshot(hazard)
    photo = png_attachment(people["rectifier"])

    message = refusal_of(
        lambda: workflow.submit(
            actor=people["rectifier"], hazard_id=hazard.pk, completion_report="   ", attachments=[photo]
        )
    )

    assert "completion report" in message
    assert snapshot(hazard) == before
    photo.refresh_from_db()
    assert photo.hazard is None


def test_submit_needs_an_after_photo_or_document(people):
    hazard = scene(people, "rectifying")
    # A photo of the hazard before rectification is not evidence of the result.
    png_attachment(people["inspector"], stage=Attachment.Stage.BEFORE)
    Attachment.objects.update(hazard=hazard)
    before = snapshot(hazard)

    message = refusal_of(
        lambda: workflow.submit(actor=people["rectifier"], hazard_id=hazard.pk, completion_report="已整改。")
    )

    assert "photo or document" in message
    assert snapshot(hazard) == before


def test_submit_claims_the_after_photo_and_records_the_submitter(people):
    hazard = scene(people, "rectifying")
    photo = png_attachment(people["rectifier"], stage=Attachment.Stage.DOCUMENT)

    workflow.submit(
        actor=people["rectifier"],
        hazard_id=hazard.pk,
        completion_report="已整改。",
        attachments=[photo],
        **major_evaluation(people["rectifier"]),
    )

    hazard.refresh_from_db()
    photo.refresh_from_db()
    assert (photo.hazard, photo.stage) == (hazard, Attachment.Stage.AFTER)
    assert (hazard.state, hazard.submitted_by, hazard.completion_report) == (
        HazardState.SUBMITTED,
        people["rectifier"],
        "已整改。",
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_needs_a_reason(people, reason):
    hazard = scene(people, "submitted")
    before = snapshot(hazard)
    message = refusal_of(lambda: workflow.reject(actor=people["head"], hazard_id=hazard.pk, reason=reason))
    assert "Say why" in message
    assert snapshot(hazard) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_void_needs_a_reason(people, reason):
    hazard = scene(people, "reported")
    before = snapshot(hazard)
    message = refusal_of(lambda: workflow.void(actor=people["head"], hazard_id=hazard.pk, reason=reason))
    assert "Say why" in message
    assert snapshot(hazard) == before


def test_a_voided_finding_stays_on_the_ledger_with_its_reason(people):
    hazard = scene(people, "assigned")
    workflow.void(actor=people["head"], hazard_id=hazard.pk, reason="与HN-430181重复。")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.VOID
    assert hazard.voided_at is not None
    event = hazard.events.get(action="void")
    assert (event.from_state, event.to_state, event.reason) == ("assigned", "void", "与HN-430181重复。")


@pytest.mark.parametrize("state", ["reported", "assigned", "rectifying", "submitted"])
def test_close_needs_a_prior_acceptance(people, state):
    hazard = scene(people, state)
    before = snapshot(hazard)
    refusal_of(lambda: workflow.close(actor=people["head"], hazard_id=hazard.pk))
    assert snapshot(hazard) == before


def test_verify_records_the_method_and_the_opinion(people):
    hazard = scene(people, "submitted")

    workflow.verify(
        actor=people["head"],
        hazard_id=hazard.pk,
        method=Hazard.AcceptanceMethod.AGENCY,
        opinion="验收合格。",
        reviewed_on=in_days(-1),
        reviewers="李科长、赵工",
    )

    hazard.refresh_from_db()
    assert hazard.state == HazardState.VERIFIED
    assert (hazard.acceptance_method, hazard.acceptance_opinion) == ("agency", "验收合格。")
    assert (hazard.reviewed_on, hazard.reviewers) == (in_days(-1), "李科长、赵工")
    assert hazard.verified_by == people["head"]
    assert hazard.verified_at is not None


@pytest.mark.parametrize(("method", "opinion"), [("", "合格。"), ("by_phone", "合格。"), ("expert", "  ")])
def test_verify_needs_a_method_and_an_opinion(people, method, opinion):
    hazard = scene(people, "submitted")
    before = snapshot(hazard)
    refusal_of(lambda: workflow.verify(actor=people["head"], hazard_id=hazard.pk, method=method, opinion=opinion))
    assert snapshot(hazard) == before


def test_the_submitter_can_never_accept_their_own_rectification(people):
    """A head who is also a member of the rectifying unit submits: someone else must accept."""
    unit = people["rectifier"].organization
    both = dual_head(unit)
    hazard = scene(people, "rectifying")
    workflow.submit(
        actor=both,
        hazard_id=hazard.pk,
        completion_report="已整改。",
        attachments=[png_attachment(both)],
        **major_evaluation(both),
    )
    hazard.refresh_from_db()
    before = snapshot(hazard)

    assert "verify" not in allowed_actions(hazard, both)
    message = refusal_of(
        lambda: workflow.verify(actor=both, hazard_id=hazard.pk, method="expert", opinion="合格。", **on_site_review())
    )
    assert "someone else" in message
    assert snapshot(hazard) == before
    # Another head can.
    verify_by(hazard, people["head"])


def test_a_head_who_logs_a_finding_rectified_on_the_spot_cannot_accept_it_too(people):
    """立查立改 goes straight to `submitted`: the finder submitted it, so someone else must accept it."""
    head = people["head"]
    photo = png_attachment(head)
    hazard = workflow.report_finding(
        actor=head,
        hazard=Hazard(
            title="灭火器过期",
            description="已当场更换。",
            industry=people["rectifier"].organization.industries.first(),
            region=region("430181"),
            unit=people["rectifier"].organization,
            found_on=in_days(0),
            found_by=head,
            on_the_spot=True,
        ),
        after_attachments=[photo],
    )
    assert hazard.state == HazardState.SUBMITTED

    assert "verify" not in allowed_actions(hazard, head)
    with pytest.raises(HazardError):
        workflow.verify(actor=head, hazard_id=hazard.pk, method="self_evaluation", opinion="合格。")
    hazard.refresh_from_db()
    assert hazard.state == HazardState.SUBMITTED


# --- Listed supervision (挂牌督办) ------------------------------------------------------------


def test_only_a_major_hazard_can_be_listed(people):
    hazard = general_finding(people)
    before = snapshot(hazard)
    message = refusal_of(
        lambda: workflow.list_for_supervision(actor=people["head"], hazard_id=hazard.pk, level="county")
    )
    assert "major" in message
    assert snapshot(hazard) == before


def test_a_county_head_cannot_list_at_city_level(people):
    hazard = scene(people, "rectifying")
    county = county_head()
    before = snapshot(hazard)

    refusal_of(lambda: workflow.list_for_supervision(actor=county, hazard_id=hazard.pk, level="city"))
    assert snapshot(hazard) == before

    workflow.list_for_supervision(actor=county, hazard_id=hazard.pk, level="county")
    hazard.refresh_from_db()
    assert (hazard.listed_level, hazard.listed_by) == ("county", county.organization)
    event = hazard.events.get(action="list")
    assert (event.from_state, event.to_state) == ("rectifying", "rectifying")


def test_a_city_head_lists_at_city_level(people):
    hazard = scene(people, "rectifying")
    workflow.list_for_supervision(actor=people["head"], hazard_id=hazard.pk, level="city")
    hazard.refresh_from_db()
    assert (hazard.listed_level, hazard.listed_by) == ("city", people["head"].organization)


def test_a_city_listed_hazard_is_closed_only_by_a_head_at_city_level_or_above(people):
    hazard = scene(people, "rectifying")
    workflow.list_for_supervision(actor=people["head"], hazard_id=hazard.pk, level="city")
    move_to(hazard, "verified", head=second_head(people["head"]), rectifier=people["rectifier"])
    county = county_head()
    before = snapshot(hazard)

    assert "close" not in allowed_actions(hazard, county)
    message = refusal_of(lambda: workflow.close(actor=county, hazard_id=hazard.pk))
    assert "listed supervision" in message
    assert snapshot(hazard) == before

    assert "close" in allowed_actions(hazard, people["head"])
    workflow.close(actor=people["head"], hazard_id=hazard.pk)
    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED


def test_a_county_head_cannot_lower_a_city_listing_to_close_it_themselves(people):
    """Otherwise the listing level would protect nothing: relist at county, then close."""
    hazard = scene(people, "rectifying")
    workflow.list_for_supervision(actor=people["head"], hazard_id=hazard.pk, level="city")
    county = county_head()
    before = snapshot(hazard)

    with pytest.raises(HazardError):
        workflow.list_for_supervision(actor=county, hazard_id=hazard.pk, level="county")

    assert snapshot(hazard) == before
    hazard.refresh_from_db()
    assert hazard.listed_level == "city"


# --- Notifications ---------------------------------------------------------------------------


def test_assigning_tells_the_rectifying_units_members(people, django_capture_on_commit_callbacks):
    unit = people["rectifier"].organization
    colleague = UserFactory(username="colleague", organization=unit, roles=[Role.RECTIFYING_UNIT])
    # Someone of the unit without the role (e.g. its accountant) is not told.
    bystander = UserFactory(username="bystander", organization=unit)
    hazard = major_finding(people)

    with django_capture_on_commit_callbacks(execute=True):
        assign_to(hazard, people["head"], unit)

    told = Notification.objects.filter(hazard=hazard, action=Notification.Action.ASSIGN)
    recipients = set(told.values_list("recipient", flat=True))
    assert {people["rectifier"].pk, colleague.pk} <= recipients
    assert bystander.pk not in recipients
    assert people["head"].pk not in recipients
    assert all(notification.actor == people["head"] for notification in told)


def test_nobody_is_told_about_a_refused_action(people, django_capture_on_commit_callbacks):
    hazard = scene(people, "submitted")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(HazardError):
        workflow.reject(actor=people["head"], hazard_id=hazard.pk, reason="")
    assert callbacks == []
    assert not Notification.objects.filter(action=Notification.Action.REJECT).exists()


def test_rejecting_tells_the_unit_why(people, django_capture_on_commit_callbacks):
    hazard = scene(people, "submitted")

    with django_capture_on_commit_callbacks(execute=True):
        workflow.reject(actor=people["head"], hazard_id=hazard.pk, reason="二号工房仍超量存药。")

    notification = Notification.objects.get(recipient=people["rectifier"], action=Notification.Action.REJECT)
    assert notification.hazard == hazard
    assert notification.note == "二号工房仍超量存药。"


def test_notifications_wait_for_the_commit(people, django_capture_on_commit_callbacks):
    hazard = major_finding(people)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assign_to(hazard, people["head"], people["rectifier"].organization)
    assert len(callbacks) == 1
    assert not Notification.objects.exists()


# --- The whole journey -----------------------------------------------------------------------


def test_a_rejected_rectification_goes_round_again_until_it_is_closed(people):
    hazard = scene(people, "submitted")
    workflow.reject(actor=people["head"], hazard_id=hazard.pk, reason="不合格。")
    submit_with_photo(hazard, people["rectifier"])
    verify_by(hazard, people["head"])
    workflow.close(actor=people["head"], hazard_id=hazard.pk)

    hazard.refresh_from_db()
    assert hazard.state == HazardState.CLOSED
    assert list(hazard.events.values_list("action", flat=True)) == [
        "report",
        "assign",
        "start",
        "submit",
        "reject",
        "submit",
        "verify",
        "close",
    ]
    # One version step per action after reporting.
    assert hazard.version == 1 + 7
    assert allowed_actions(hazard, people["head"]) == []


def test_a_pending_extension_does_not_block_submission(people):
    hazard = scene(people, PENDING)
    submit_with_photo(hazard, people["rectifier"])
    hazard.refresh_from_db()
    assert hazard.state == HazardState.SUBMITTED
    assert ExtensionRequest.objects.filter(hazard=hazard, decision="pending").count() == 1


def test_start_by_the_head_is_allowed_too(people):
    hazard = scene(people, "assigned")
    start_with_plan(hazard, people["head"])
    hazard.refresh_from_db()
    assert hazard.state == HazardState.RECTIFYING


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_heads_accepting_at_the_same_moment_only_one_succeeds(reference_data):
    head, rectifier, inspector = persona("head"), persona("rectifier"), persona("inspector")
    colleague = second_head(head)
    hazard = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
    move_to(hazard, "submitted", head=head, rectifier=rectifier)
    heads = [head, colleague]
    for user in heads:
        user.role_names  # noqa: B018 - load the roles before the threads start

    barrier = threading.Barrier(len(heads))
    results: dict[int, object] = {}

    def accept(user):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                workflow.verify(
                    actor=user,
                    hazard_id=hazard.pk,
                    method="expert",
                    opinion=f"{user.username}: 合格。",
                    **on_site_review(),
                )
            results[user.pk] = "accepted"
        except Exception as error:  # noqa: BLE001 - the test asserts which exception it was
            results[user.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in heads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 2
    accepted = [pk for pk, result in results.items() if result == "accepted"]
    refused = [result for result in results.values() if result != "accepted"]
    assert len(accepted) == 1
    assert len(refused) == 1
    assert type(refused[0]) is HazardError, repr(refused[0])
    assert_readable(str(refused[0]))
    assert "Accepted" in str(refused[0]) or "Reload" in str(refused[0])
    hazard.refresh_from_db()
    assert hazard.state == HazardState.VERIFIED
    assert hazard.verified_by_id == accepted[0]
    assert HazardEvent.objects.filter(hazard=hazard, action="verify").count() == 1
