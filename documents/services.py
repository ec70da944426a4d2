"""Issuing enforcement documents: which document a hazard can have now, its number, what it says.

A document is issued once and kept as issued (its content is a snapshot: the hazards change later);
printing it again, as HTML or PDF, prints the same text and number. Each issue goes on the timeline
of every hazard it names, through hazards.workflow.record_document.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from documents.models import NUMBER_WORDS, DocumentKind, DocumentNumbering, DocumentSequence, EnforcementDocument
from hazards import workflow
from hazards.models import Hazard, HazardState
from hazards.transitions import is_reporter
from hunan_safety.compiled import CompiledQuery


class DocumentError(Exception):
    """A document that cannot be issued; the message says why, for the user."""


# The states a hazard must be in for each kind: the order needs a deadline and a unit (assigned or
# later, still open); the re-inspection opinion follows acceptance.
ISSUABLE_IN: dict[str, set[str]] = {
    DocumentKind.INSPECTION_RECORD: {state.value for state in HazardState if state != HazardState.VOID},
    DocumentKind.RECTIFICATION_ORDER: {HazardState.ASSIGNED, HazardState.RECTIFYING, HazardState.SUBMITTED},
    DocumentKind.REINSPECTION_OPINION: {HazardState.VERIFIED, HazardState.CLOSED},
}


def documents_visible_to(user: User) -> QuerySet[EnforcementDocument]:
    """The documents about hazards the user may see (the one visibility rule): the addressed unit sees its own."""
    return EnforcementDocument.objects.filter(hazards__in=Hazard.objects.visible_to(user)).distinct()


# Read on every hazard's page: compiled once (hunan_safety/compiled.py).
_ABOUT = CompiledQuery(
    lambda hazard_id: EnforcementDocument.objects.filter(hazards=hazard_id).order_by("issued_at", "pk"), "hazard_id"
)


def documents_about(hazard: Hazard) -> list[EnforcementDocument]:
    """The documents about a hazard the viewer already sees, in the order issued: by
    `documents_visible_to`, a document is visible when any of its hazards is, so on that hazard's page
    the rule need not be compiled again (at 1M hazards it cost 300 ms cold as a second subquery)."""
    return _ABOUT.run(hazard_id=hazard.pk)


def kinds_to_issue(hazard: Hazard, user: User) -> list[str]:
    """The documents the user may issue on the hazard now (the buttons on its page)."""
    if not can_issue(user):
        return []
    return [kind for kind, states in ISSUABLE_IN.items() if hazard.state in states]


def can_issue(user: User) -> bool:
    """Inspectors and heads of a government body issue documents; a rectifying unit never does."""
    organization = user.organization
    return bool(is_reporter(user) and organization and organization.kind != Organization.Kind.ENTERPRISE)


def abbreviation_of(body: Organization) -> str:
    """The short name in the body's document numbers: set in the admin (DocumentNumbering), else the
    first character of its region and two of its own name (浏阳市应急管理局 → 浏应急)."""
    numbering = DocumentNumbering.objects.filter(organization=body).first()
    if numbering:
        return numbering.abbreviation
    region_name = body.region.name if body.region_id else ""
    own = body.name.removeprefix(region_name) or body.name
    return f"{region_name[:1]}{own[:2]}"


def _hazards_covered(hazard: Hazard, user: User, kind: str) -> list[Hazard]:
    """The hazard, and for an inspection's documents its other findings for the same unit in the same stage."""
    if hazard.inspection_id is None:
        return [hazard]
    siblings = (
        Hazard.objects.visible_to(user)
        .filter(
            inspection_id=hazard.inspection_id,
            unit_id=hazard.unit_id,
            rectifying_unit_id=hazard.rectifying_unit_id,
            state__in=ISSUABLE_IN[DocumentKind(kind)],
        )
        .select_related("determination_clause__standard", "rectifying_unit", "unit")
        .order_by("pk")
    )
    return list(siblings) or [hazard]


def _content(hazards: list[Hazard], kind: str, body: Organization, actor: User) -> dict:
    first = hazards[0]
    inspection = first.inspection
    addressee = first.rectifying_unit or first.unit
    deadlines = [hazard.deadline for hazard in hazards if hazard.deadline]
    return {
        "unit": addressee.name if addressee else first.site_name,
        "place": first.place,
        "issuing_body": body.name,
        "issued_on": timezone.localdate().isoformat(),
        "officer": actor.get_full_name() or actor.username,
        "inspection": {
            "date": inspection.inspected_on.isoformat(),
            "inspectors": [person.get_full_name() or person.username for person in inspection.inspectors.all()],
        }
        if inspection
        else None,
        "deadline": max(deadlines).isoformat() if deadlines else "",
        "findings": [
            {
                "number": hazard.number,
                "title": hazard.title,
                "description": hazard.description,
                "location": hazard.location,
                "level": hazard.level,
                "legal_basis": hazard.legal_basis,
                "clause": hazard.determination_clause.legal_basis if hazard.determination_clause else "",
                "deadline": hazard.deadline.isoformat() if hazard.deadline else "",
                "measures": hazard.measures,
                "acceptance_opinion": hazard.acceptance_opinion,
            }
            for hazard in hazards
        ],
    }


@transaction.atomic
def issue(*, actor: User, hazard_id: int, kind: str) -> EnforcementDocument:
    """Issue a document of `kind` on the hazard (and its inspection's sibling findings), numbered in sequence."""
    hazard = (
        Hazard.objects.visible_to(actor)
        .select_related("inspection", "rectifying_unit", "unit", "determination_clause__standard")
        .filter(pk=hazard_id)
        .first()
    )
    if hazard is None:
        raise workflow.HazardNotFound
    if kind not in ISSUABLE_IN:
        raise DocumentError(_("Unknown kind of document."))
    if not can_issue(actor):
        raise DocumentError(_("Only inspectors and department heads of a government body issue documents."))
    if hazard.state not in ISSUABLE_IN[DocumentKind(kind)]:
        raise DocumentError(
            _("A %(document)s cannot be issued while the hazard is %(state)s.")
            % {"document": DocumentKind(kind).label, "state": hazard.get_state_display()}
        )
    body = actor.organization
    assert body is not None  # can_issue checked it
    hazards = _hazards_covered(hazard, actor, kind)
    addressee = hazard.rectifying_unit or hazard.unit
    year = timezone.localdate().year
    serial = DocumentSequence.next_serial(organization_id=body.pk, year=year, kind=kind)
    document = EnforcementDocument.objects.create(
        kind=kind,
        number=f"〔{year}〕{abbreviation_of(body)}{NUMBER_WORDS[DocumentKind(kind)]}〔{serial}〕号",
        year=year,
        serial=serial,
        issuing_body=body,
        addressed_to=addressee,
        addressee_name=addressee.name if addressee else hazard.site_name,
        inspection=hazard.inspection,
        content=_content(hazards, kind, body, actor),
        issued_by=actor,
    )
    document.hazards.set(hazards)
    for covered in hazards:
        workflow.record_document(
            actor=actor, hazard_id=covered.pk, document=f"{DocumentKind(kind).label} {document.number}"
        )
    return document
