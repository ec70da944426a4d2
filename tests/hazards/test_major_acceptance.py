"""Issue 13 item 1: a major hazard is accepted only on an evaluation by experts or a qualified agency,
with the unit's written application, and the head's acceptance records the on-site review (SAWS Order 16 art. 18)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from hazards import workflow
from hazards.models import Attachment, Hazard, HazardState
from hazards.workflow import HazardError, allowed_actions
from tests.hazards.workflow_helpers import (
    in_days,
    move_to,
    on_site_review,
    png_attachment,
    png_bytes,
    report,
    snapshot,
    text,
)

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def major_at(people_state: str, *, inspector, head, rectifier) -> Hazard:
    hazard = report(inspector, level=Hazard.Level.MAJOR, unit=rectifier.organization)
    return move_to(hazard, people_state, head=head, rectifier=rectifier)


def refusal(call) -> str:
    with translation.override("en"), pytest.raises(HazardError) as refused:
        call()
    return str(refused.value)


def test_a_major_hazard_is_never_accepted_on_the_units_self_evaluation(inspector, head, rectifier):
    hazard = major_at("submitted", inspector=inspector, head=head, rectifier=rectifier)
    before = snapshot(hazard)

    for method in (Hazard.AcceptanceMethod.SELF_EVALUATION, Hazard.AcceptanceMethod.GOVERNMENT, ""):
        message = refusal(
            lambda method=method: workflow.verify(
                actor=head, hazard_id=hazard.pk, method=method, opinion="合格。", **on_site_review()
            )
        )
        assert "experts or a qualified agency" in message

    assert snapshot(hazard) == before


def test_a_major_hazard_needs_the_on_site_review_to_be_accepted(inspector, head, rectifier):
    hazard = major_at("submitted", inspector=inspector, head=head, rectifier=rectifier)
    before = snapshot(hazard)

    message = refusal(lambda: workflow.verify(actor=head, hazard_id=hazard.pk, method="expert", opinion="合格。"))
    assert "on-site review" in message
    future = refusal(
        lambda: workflow.verify(
            actor=head, hazard_id=hazard.pk, method="expert", opinion="合格。", reviewed_on=in_days(1), reviewers="李"
        )
    )
    assert "future" in future
    assert snapshot(hazard) == before


def test_a_major_hazards_submission_carries_the_evaluation_and_the_written_application(inspector, head, rectifier):
    hazard = major_at("rectifying", inspector=inspector, head=head, rectifier=rectifier)
    before = snapshot(hazard)

    message = refusal(
        lambda: workflow.submit(
            actor=rectifier,
            hazard_id=hazard.pk,
            completion_report="已整改。",
            attachments=[png_attachment(rectifier)],
            evaluation_method=Hazard.AcceptanceMethod.SELF_EVALUATION,
        )
    )

    for missing in ("evaluation method", "evaluating body", "evaluation report", "written application"):
        assert missing in message
    assert snapshot(hazard) == before


def test_accepting_a_major_hazard_keeps_the_evaluation_and_the_on_site_review(client, inspector, head, rectifier):
    hazard = major_at("verified", inspector=inspector, head=head, rectifier=rectifier)

    assert (hazard.state, hazard.acceptance_method) == (HazardState.VERIFIED, "expert")
    assert (hazard.reviewed_on, hazard.reviewers) == (in_days(0), "李科长、赵工")
    submission = hazard.rounds.get()
    assert (submission.evaluation_method, submission.outcome) == ("expert", "accepted")
    assert set(submission.attachments.values_list("stage", flat=True)) == {"after", "evaluation", "application"}

    client.force_login(head)
    page = text(client.get(f"/hazards/{hazard.pk}/").content.decode())
    assert "李科长、赵工" in page and "省安全生产专家组" in page


def test_the_accept_form_of_a_major_hazard_offers_no_default_method(english, inspector, head, rectifier):
    hazard = major_at("submitted", inspector=inspector, head=head, rectifier=rectifier)
    english.force_login(head)

    html = english.get(f"/hazards/{hazard.pk}/").content.decode()
    select = re.search(r'<select name="verify-method".*?</select>', html, flags=re.S).group(0)
    options = re.findall(r'<option value="([a-z_]*)"( selected)?', select)
    assert options == [("", " selected"), ("expert", ""), ("agency", "")]
    assert 'name="verify-reviewed_on"' in html and 'name="verify-reviewers"' in html

    before = snapshot(hazard)
    response = english.post(
        f"/hazards/{hazard.pk}/act/verify/", {"verify-version": hazard.version, "verify-opinion": "合格。"}
    )
    assert response.status_code == 400
    page = text(response.content.decode())
    assert "A major hazard is accepted on an evaluation by experts or a qualified agency" in page
    assert "A major hazard is reviewed on site before it is accepted" in page
    assert snapshot(hazard) == before


def test_a_general_hazard_is_still_accepted_by_the_method_the_head_chooses(inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    move_to(hazard, "submitted", head=head, rectifier=rectifier)

    workflow.verify(actor=head, hazard_id=hazard.pk, method="self_evaluation", opinion="企业自评合格，抽查属实。")

    hazard.refresh_from_db()
    assert (hazard.state, hazard.acceptance_method, hazard.reviewed_on) == ("verified", "self_evaluation", None)


def test_the_unit_submits_a_major_hazard_with_its_evaluation_through_the_form(english, inspector, head, rectifier):
    hazard = major_at("rectifying", inspector=inspector, head=head, rectifier=rectifier)
    english.force_login(rectifier)
    upload = lambda name: SimpleUploadedFile(name, png_bytes(), content_type="image/png")  # noqa: E731

    missing = english.post(
        f"/hazards/{hazard.pk}/act/submit/",
        {
            "submit-version": hazard.version,
            "submit-completion_report": "已整改。",
            "submit-after_photos": upload("a.png"),
        },
    )
    assert missing.status_code == 400
    page = text(missing.content.decode())
    assert "Attach the evaluation report" in page and "written application" in page
    # The photo already sent is kept for the next try, with its token.
    assert len(missing.context["action_forms"]["submit"].kept["after_photos"]) == 1

    done = english.post(
        f"/hazards/{hazard.pk}/act/submit/",
        {
            "submit-version": hazard.version,
            "submit-completion_report": "已整改。",
            "submit-after_photos_kept": missing.context["action_forms"]["submit"].kept_tokens("after_photos"),
            "submit-evaluation_method": "agency",
            "submit-evaluating_body": "湖南某安全评价有限公司",
            "submit-evaluation_report": upload("评估报告.png"),
            "submit-application": upload("申请书.png"),
        },
    )
    assert done.status_code == 302
    submission = Hazard.objects.get(pk=hazard.pk).rounds.get()
    assert (submission.evaluation_method, submission.evaluating_body) == ("agency", "湖南某安全评价有限公司")
    stages = dict(submission.attachments.values_list("original_name", "stage"))
    assert stages == {
        "a.png": Attachment.Stage.AFTER,
        "评估报告.png": Attachment.Stage.EVALUATION,
        "申请书.png": Attachment.Stage.APPLICATION,
    }
    assert "verify" in allowed_actions(Hazard.objects.get(pk=hazard.pk), head)
