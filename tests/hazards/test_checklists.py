"""An inspection follows a checklist: each item answered 符合 / 不符合 / 不涉及; every 不符合 becomes a
finding pre-filled from the item (major, with its legal basis, when the item is linked to a clause);
the inspection page shows the result."""

import pytest

from accounts.models import Industry
from hazards import workflow
from hazards.models import Hazard
from inspections.models import ChecklistAnswer, Inspection
from rules.models import Checklist, ChecklistItem, DeterminationClause
from tests.factories import region
from tests.hazards.workflow_helpers import head_out_of_scope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Answer = ChecklistAnswer.Answer


@pytest.fixture
def checklist():
    checklist = Checklist.objects.create(
        title="烟花爆竹生产企业日常检查表", industry=Industry.objects.get(code="fireworks-production")
    )
    clause = DeterminationClause.objects.get(standard__code="fireworks-2017", number="5")
    ChecklistItem.objects.create(checklist=checklist, position=1, text="工房药量不超过核定药量", clause=clause)
    ChecklistItem.objects.create(
        checklist=checklist, position=2, text="消防器材在有效期内", legal_basis="《消防法》第十六条"
    )
    ChecklistItem.objects.create(checklist=checklist, position=3, text="安全警示标志齐全")
    return checklist


def new_inspection(client, user, rectifier, checklist):
    client.force_login(user)
    return client.post(
        "/inspections/new/",
        {
            "inspected_on": "2026-06-15",
            "region": "430181",
            "unit": rectifier.organization.pk,
            "industry": Industry.objects.get(code="fireworks-production").pk,
            "checklist": checklist.pk,
            "findings-TOTAL_FORMS": "0",
            "findings-INITIAL_FORMS": "0",
            "findings-MIN_NUM_FORMS": "0",
            "findings-MAX_NUM_FORMS": "1000",
        },
    )


def answers_for(checklist, *answers, notes=()):
    data = {}
    for index, (item, answer) in enumerate(zip(checklist.items.order_by("position"), answers, strict=True)):
        data[f"answer_{item.pk}"] = answer
        data[f"note_{item.pk}"] = notes[index] if index < len(notes) else ""
    return data


def test_an_inspection_following_a_checklist_goes_on_to_its_answers(client, inspector, rectifier, checklist):
    response = new_inspection(client, inspector, rectifier, checklist)
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspections/{inspection.pk}/checklist/"
    page = client.get(response["Location"]).content.decode()
    assert "工房药量不超过核定药量" in page and "消防器材在有效期内" in page


def test_each_non_compliant_item_becomes_a_finding_filled_in_from_the_item(client, inspector, rectifier, checklist):
    new_inspection(client, inspector, rectifier, checklist)
    inspection = Inspection.objects.get()
    response = client.post(
        f"/inspections/{inspection.pk}/checklist/",
        answers_for(checklist, Answer.NON_COMPLIANT, Answer.NON_COMPLIANT, Answer.COMPLIANT, notes=["3号工房"]),
    )
    assert response.status_code == 302
    findings = {hazard.checklist_item.position: hazard for hazard in Hazard.objects.filter(inspection=inspection)}
    assert set(findings) == {1, 2}
    major, general = findings[1], findings[2]
    assert major.level == Hazard.Level.MAJOR
    assert major.determination_clause.number == "5"
    assert "烟花爆竹生产经营单位重大生产安全事故隐患判定标准" in major.legal_basis
    assert "3号工房" in major.description
    assert general.level == Hazard.Level.GENERAL and general.legal_basis == "《消防法》第十六条"
    assert {major.unit, major.region_id, major.state} == {rectifier.organization, "430181", "reported"}


def test_answering_again_adds_no_second_finding_for_the_same_item(client, inspector, rectifier, checklist):
    new_inspection(client, inspector, rectifier, checklist)
    inspection = Inspection.objects.get()
    url = f"/inspections/{inspection.pk}/checklist/"
    client.post(url, answers_for(checklist, Answer.NON_COMPLIANT, Answer.COMPLIANT, Answer.COMPLIANT))
    client.post(url, answers_for(checklist, Answer.NON_COMPLIANT, Answer.COMPLIANT, Answer.NON_COMPLIANT))
    assert Hazard.objects.filter(inspection=inspection).count() == 2
    assert ChecklistAnswer.objects.filter(inspection=inspection).count() == 3


def test_the_inspection_page_shows_the_checklist_result(client, inspector, rectifier, checklist):
    new_inspection(client, inspector, rectifier, checklist)
    inspection = Inspection.objects.get()
    client.post(
        f"/inspections/{inspection.pk}/checklist/",
        answers_for(checklist, Answer.NON_COMPLIANT, Answer.COMPLIANT, Answer.NOT_APPLICABLE),
    )
    client.cookies["django_language"] = "en"
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert "Non-compliant 1" in page and "Compliant 1" in page and "Not applicable 1" in page


def test_someone_outside_the_scope_cannot_answer(client, inspector, rectifier, checklist):
    new_inspection(client, inspector, rectifier, checklist)
    inspection = Inspection.objects.get()
    client.force_login(head_out_of_scope())
    response = client.post(f"/inspections/{inspection.pk}/checklist/", answers_for(checklist, "non_compliant", "", ""))
    assert response.status_code == 404
    assert not Hazard.objects.exists()


def test_an_answer_for_another_checklists_item_is_refused(inspector, checklist):
    other = Checklist.objects.create(title="其他", industry=checklist.industry)
    stray = ChecklistItem.objects.create(checklist=other, text="别的")
    inspection = workflow.record_inspection(
        actor=inspector,
        inspection=Inspection(
            inspected_on="2026-06-15",
            region=region("430181"),
            site_name="某厂",
            industry=checklist.industry,
            checklist=checklist,
        ),
        team=[],
        findings=[],
    )
    with pytest.raises(workflow.HazardError):
        workflow.answer_checklist(
            actor=inspector, inspection_id=inspection.pk, answers={stray.pk: (Answer.NON_COMPLIANT, "")}
        )
