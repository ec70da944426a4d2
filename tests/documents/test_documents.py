"""Enforcement documents: numbered per body, per year and kind; on the hazard's timeline; seen by the
addressed unit and by nobody outside the hazard's scope; the PDF says what the print page says."""

import io

import pytest
from pypdf import PdfReader

from documents import services
from documents.models import DocumentKind, DocumentNumbering, EnforcementDocument
from hazards.models import HazardEvent, HazardState
from rules.models import DeterminationClause
from tests.hazards.workflow_helpers import county_head, head_out_of_scope, move_to, report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def clause():
    return DeterminationClause.objects.get(standard__code="fireworks-2017", number="5")


@pytest.fixture
def hazard(inspector, head, rectifier, clause):
    finding = report(
        inspector,
        unit=rectifier.organization,
        level="major",
        determination_clause=clause,
        legal_basis=clause.legal_basis,
        title="3号工房滞留药量超标",
    )
    DocumentNumbering.objects.create(organization=head.organization, abbreviation="长应急")
    return move_to(finding, HazardState.ASSIGNED, head=head, rectifier=rectifier)


def issue(user, hazard, kind=DocumentKind.RECTIFICATION_ORDER):
    return services.issue(actor=user, hazard_id=hazard.pk, kind=kind)


def test_the_order_is_numbered_per_body_year_and_kind(head, hazard):
    first = issue(head, hazard)
    second = issue(head, hazard)
    record = issue(head, hazard, DocumentKind.INSPECTION_RECORD)
    assert first.number == "〔2026〕长应急责改〔1〕号"
    assert second.number == "〔2026〕长应急责改〔2〕号"
    assert record.number == "〔2026〕长应急检记〔1〕号"


def test_issuing_puts_the_document_and_its_number_on_the_timeline(head, hazard):
    document = issue(head, hazard)
    event = HazardEvent.objects.get(hazard=hazard, action=HazardEvent.Action.ISSUE_DOCUMENT)
    assert document.number in event.reason
    hazard.refresh_from_db()
    assert hazard.state == HazardState.ASSIGNED  # a document changes nothing of the hazard


def test_the_order_needs_an_assigned_hazard_and_the_opinion_an_accepted_one(inspector, head, rectifier):
    finding = report(inspector, unit=rectifier.organization)
    with pytest.raises(services.DocumentError):
        issue(head, finding)
    with pytest.raises(services.DocumentError):
        issue(head, finding, DocumentKind.REINSPECTION_OPINION)
    assert issue(head, finding, DocumentKind.INSPECTION_RECORD).kind == DocumentKind.INSPECTION_RECORD


def test_a_rectifying_unit_cannot_issue(rectifier, hazard):
    with pytest.raises(services.DocumentError):
        issue(rectifier, hazard)


@pytest.mark.parametrize(
    ("who", "sees"),
    [("head", True), ("inspector", True), ("rectifier", True), ("province", True), ("outsider", False)],
)
def test_who_sees_the_document(request, client, head, hazard, who, sees):
    document = issue(head, hazard)
    user = head_out_of_scope() if who == "outsider" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(f"/documents/{document.pk}/").status_code == (200 if sees else 404)
    assert client.get(f"/documents/{document.pk}/pdf/").status_code == (200 if sees else 404)


def test_the_unit_finds_its_documents_on_the_hazards_page(client, head, rectifier, hazard):
    document = issue(head, hazard)
    client.force_login(rectifier)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert document.number in page
    assert 'data-issue="' not in page  # the unit downloads, it does not issue


def test_the_head_issues_from_the_hazards_page_and_gets_the_print_page(client, head, hazard):
    client.force_login(head)
    response = client.post(f"/documents/issue/{hazard.pk}/rectification_order/", follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "〔2026〕长应急责改〔1〕号" in page
    assert "浏阳测试烟花有限公司" in page
    assert "3号工房滞留药量超标" in page


def test_an_outsider_cannot_issue_on_a_hazard_out_of_scope(client, hazard):
    client.force_login(head_out_of_scope())
    assert client.post(f"/documents/issue/{hazard.pk}/rectification_order/").status_code == 404
    assert not EnforcementDocument.objects.exists()


def test_the_pdf_text_has_the_unit_the_clause_and_the_number(client, head, hazard, clause):
    document = issue(head, hazard)
    client.force_login(head)
    response = client.get(f"/documents/{document.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "浏阳测试烟花有限公司" in text
    assert document.number in text
    assert clause.text.rstrip("。") in text


def test_two_bodies_with_the_same_short_name_each_keep_their_own_sequence(head, hazard):
    other = county_head()
    DocumentNumbering.objects.create(organization=other.organization, abbreviation="长应急")
    assert issue(head, hazard).number == issue(other, hazard).number == "〔2026〕长应急责改〔1〕号"
    assert issue(other, hazard).number == "〔2026〕长应急责改〔2〕号"
