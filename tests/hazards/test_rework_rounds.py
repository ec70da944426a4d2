"""Issue 13 item 5: rework keeps its history. Each submission is a numbered round that is never
overwritten; after 退回整改 the unit sees a banner with the reason and who sent it back."""

import pytest
from django.utils import timezone

from hazards import workflow
from hazards.models import Attachment, Hazard, SubmissionRound
from hazards.selectors import submission_rounds
from tests.hazards.workflow_helpers import element, move_to, png_attachment, report, submit, text

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sent_back(inspector, head, rectifier) -> Hazard:
    """A general hazard submitted once and sent back with a reason."""
    hazard = move_to(report(inspector, unit=rectifier.organization), "submitted", head=head, rectifier=rectifier)
    workflow.reject(actor=head, hazard_id=hazard.pk, reason="二号工房安全出口仍被堵塞。")
    return Hazard.objects.get(pk=hazard.pk)


def test_a_second_submission_is_round_two_and_round_one_stays_as_it_was(sent_back, head, rectifier):
    first = sent_back.rounds.get()
    first_photos = list(first.attachments.values_list("pk", flat=True))

    submit(sent_back, rectifier, report="安全出口已清理，增设指示标志。")

    rounds = list(SubmissionRound.objects.filter(hazard=sent_back).order_by("number"))
    assert [(r.number, r.outcome) for r in rounds] == [(1, "rejected"), (2, "pending")]
    assert rounds[0].completion_report == "已拆除违规工房，药量复核合格。"
    assert (rounds[0].decided_by, rounds[0].rejection_reason) == (head, "二号工房安全出口仍被堵塞。")
    assert rounds[1].completion_report == "安全出口已清理，增设指示标志。"
    # Each round keeps its own evidence: round 1's photo was not moved or replaced.
    assert list(rounds[0].attachments.values_list("pk", flat=True)) == first_photos
    assert rounds[1].attachments.filter(stage=Attachment.Stage.AFTER).count() == 1


def test_a_resubmission_needs_evidence_of_its_own(sent_back, rectifier):
    with pytest.raises(workflow.HazardError):
        workflow.submit(actor=rectifier, hazard_id=sent_back.pk, completion_report="已整改。", attachments=[])
    assert sent_back.rounds.count() == 1


def test_the_unit_sees_the_reason_and_who_sent_it_back_above_its_actions(client, sent_back, head, rectifier):
    client.force_login(rectifier)
    html = client.get(f"/hazards/{sent_back.pk}/").content.decode()

    banner = text(element(html, 'data-testid="rejection-banner"', "</div>\n</div>"))
    assert "二号工房安全出口仍被堵塞。" in banner
    assert head.get_full_name() in banner
    assert "1" in banner
    # The banner and the unit's actions come before the description of the finding.
    assert (
        html.index('data-testid="rejection-banner"')
        < html.index('data-testid="actions"')
        < html.index(sent_back.description)
    )


def test_the_page_numbers_the_rounds_in_chinese(client, sent_back, rectifier):
    submit(sent_back, rectifier, report="安全出口已清理。")
    client.force_login(rectifier)

    page = text(client.get(f"/hazards/{sent_back.pk}/").content.decode())

    assert "第1次提交" in page and "第2次提交" in page
    assert "二号工房安全出口仍被堵塞。" in page  # round 1's rejection is still on record
    # No banner once the unit has submitted again: the work now waits on the head.
    assert "rejection-banner" not in client.get(f"/hazards/{sent_back.pk}/").content.decode()


def test_the_rounds_are_available_to_the_ledger_export_as_data(sent_back, head, rectifier):
    submit(sent_back, rectifier, report="安全出口已清理。")
    other = report(sent_back.found_by, unit=rectifier.organization)

    rounds = submission_rounds([sent_back.pk, other.pk])

    assert list(rounds) == [sent_back.pk]
    first, second = rounds[sent_back.pk]
    assert (first.number, first.rejection_reason, second.number) == (1, "二号工房安全出口仍被堵塞。", 2)
    assert first.decided_by == head.get_full_name()
    assert first.files == ["after.png"] and second.files == ["after.png"]


def test_a_finding_rectified_on_the_spot_is_round_one(inspector, rectifier):
    hazard = Hazard(
        title="灭火器过期",
        description="已当场更换。",
        industry=rectifier.organization.industries.first(),
        region=rectifier.organization.region,
        unit=rectifier.organization,
        found_on=timezone.localdate(),
        on_the_spot=True,
        measures="当场更换灭火器。",
    )
    hazard = workflow.report_finding(actor=inspector, hazard=hazard, after_attachments=[png_attachment(inspector)])

    submission = hazard.rounds.get()
    assert (submission.number, submission.submitted_by, submission.outcome) == (1, inspector, "pending")
    assert submission.attachments.count() == 1
