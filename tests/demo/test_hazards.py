"""Demo findings (demo/hazards.py, demo/bulk.py): a realistic, mature ledger, numbered like the real one, made once."""

import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from accounts.models import Industry, Organization, User
from demo.people import COUNTIES
from demo.services import DemoSeedError, seed_demo, seed_hazards
from hazards import workflow
from hazards.models import ExtensionRequest, Hazard, HazardEvent, HazardState, LedgerSequence
from inspections.models import Campaign, Inspection

IN_WORK = ("assigned", "rectifying", "submitted", "verified")

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
NUMBER = re.compile(r"^HN-(\d{6})-(\d{4})-(\d{6})$")
OPEN_WORK = (HazardState.ASSIGNED, HazardState.RECTIFYING, HazardState.SUBMITTED)
MILESTONES = {
    HazardEvent.Action.ASSIGN: "assigned_at",
    HazardEvent.Action.VERIFY: "verified_at",
    HazardEvent.Action.CLOSE: "closed_at",
    HazardEvent.Action.VOID: "voided_at",
}


@pytest.fixture
def ledger():
    """The demo organisations and personas, and 120 demo hazards found up to TODAY."""
    seed_demo(password="pw-demo-2026")
    return seed_hazards(count=120, today=TODAY)


def _snapshot():
    return {
        "hazards": Hazard.objects.count(),
        "events": HazardEvent.objects.count(),
        "inspections": Inspection.objects.count(),
        "campaigns": Campaign.objects.count(),
        "users": User.objects.count(),
        "extensions": ExtensionRequest.objects.count(),
        "sequences": sorted(LedgerSequence.objects.values_list("region_id", "year", "last")),
    }


def test_it_makes_the_hazards_asked_for_with_their_inspections_campaigns_and_history(ledger):
    assert ledger["hazards"] == ledger["total"] == Hazard.objects.count() == 120
    assert ledger["inspections"] == Inspection.objects.count() > 20
    assert ledger["events"] == HazardEvent.objects.count() > 4 * 120
    assert ledger["campaigns"] == Campaign.objects.count() >= 3
    for inspection in Inspection.objects.prefetch_related("hazards", "inspectors"):
        assert 1 <= len(inspection.hazards.all()) <= 4
        assert inspection.inspectors.exists() and inspection.created_by in inspection.inspectors.all()
        assert all(hazard.found_on == inspection.inspected_on for hazard in inspection.hazards.all())


def test_running_it_again_with_the_same_number_makes_nothing_and_a_larger_number_tops_up(ledger):
    before = _snapshot()
    again = seed_hazards(count=120, today=TODAY)
    assert again["hazards"] == again["inspections"] == again["events"] == again["users"] == 0
    assert again["total"] == 120
    assert _snapshot() == before

    more = seed_hazards(count=150, today=TODAY)
    assert more["hazards"] == 30 and Hazard.objects.count() == 150
    assert Campaign.objects.count() == before["campaigns"]
    numbers = list(Hazard.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 150


def test_the_command_seeds_hazards_once_and_says_so(settings):
    # Test runs force DEBUG off; seed_demo is meant for development machines.
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", hazards=40, stdout=out)
    summary = out.getvalue().splitlines()[-1]
    assert re.fullmatch(r"seed_demo: 40 hazards created \(total 40\), \d+ inspections, \d+ campaigns", summary)
    out = StringIO()
    call_command("seed_demo", hazards=40, stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("seed_demo: 0 hazards created (total 40), 0 inspections")


def test_it_needs_the_demo_organisations_first():
    with pytest.raises(DemoSeedError, match="seed_demo"):
        seed_hazards(count=10, today=TODAY)
    assert not Hazard.objects.exists()


def test_numbers_come_from_the_ledger_sequence_so_later_hazards_never_collide(ledger):
    serials: dict[tuple[str, int], list[int]] = {}
    for number, county, found_on in Hazard.objects.values_list("number", "region_id", "found_on"):
        match = NUMBER.match(number)
        assert match, number
        assert match.group(1) == county and int(match.group(2)) == found_on.year
        serials.setdefault((county, found_on.year), []).append(int(match.group(3)))
    sequences = {
        (region, year): last for region, year, last in LedgerSequence.objects.values_list("region", "year", "last")
    }
    for key, issued in serials.items():
        assert sorted(issued) == list(range(1, len(issued) + 1)), key
        assert sequences[key] == len(issued)

    (county, year), issued = max(serials.items(), key=lambda item: len(item[1]))
    inspector = User.objects.get(username="inspector")
    hazard = workflow.report_finding(
        actor=inspector,
        hazard=Hazard(
            title="消防通道被占用",
            description="后来正常登记的隐患。",
            industry=Industry.objects.get(code="fire"),
            region_id=county,
            site_name="测试场所",
            found_on=date(year, 6, 1),
        ),
    )
    assert hazard.number == f"HN-{county}-{year}-{len(issued) + 1:06d}"


def test_states_and_fields_are_those_of_a_mature_ledger(ledger):
    hazards = list(Hazard.objects.select_related("listed_by"))
    states = Counter(hazard.state for hazard in hazards)
    assert states[HazardState.CLOSED] > 0.7 * len(hazards)
    assert sum(states[state] for state in OPEN_WORK) > 0
    assert Hazard.objects.overdue(today=TODAY).exists()
    majors = sum(hazard.is_major for hazard in hazards)
    assert 0 < majors <= 0.1 * len(hazards)
    assert {hazard.kind for hazard in hazards} == set(Hazard.Kind.values)
    assert len({hazard.source for hazard in hazards}) >= 3

    for hazard in hazards:
        assert hazard.title and hazard.description and hazard.legal_basis and hazard.location
        assert hazard.unit_id or hazard.site_name
        assert bool(hazard.responsibility_chain) == (hazard.state in IN_WORK)
        if hazard.deadline:
            assert hazard.deadline >= hazard.found_on
        if hazard.state not in (HazardState.REPORTED, HazardState.VOID):
            assert hazard.deadline and hazard.measures and hazard.funds is not None and hazard.responsible_person
            assert hazard.contingency_plan
            if hazard.is_major:
                assert hazard.goals and hazard.materials and hazard.production_suspension
        if hazard.state in (HazardState.VERIFIED, HazardState.CLOSED):
            assert (
                hazard.verified_by_id and hazard.verified_at and hazard.acceptance_method and hazard.acceptance_opinion
            )
            assert hazard.submitted_by_id and hazard.submitted_by_id != hazard.verified_by_id
        if hazard.state == HazardState.CLOSED:
            assert hazard.closed_at
        if hazard.state == HazardState.VOID:
            assert hazard.voided_at
        if hazard.listed_level:
            assert hazard.is_major
            assert hazard.listed_by is None or hazard.listed_by.kind == Organization.Kind.GOVERNMENT
        # Milestones happen in order, from the day the hazard was found.
        times = [hazard.created_at, hazard.assigned_at, hazard.started_at, hazard.submitted_at]
        times += [hazard.verified_at, hazard.closed_at]
        times = [moment for moment in times if moment]
        assert times == sorted(times)
        assert hazard.created_at.astimezone().date() >= hazard.found_on - timedelta(days=1)


def test_each_history_starts_with_the_report_and_follows_the_workflow(ledger):
    end_of_today = datetime.combine(TODAY, time(23, 59, 59)).astimezone()
    events = {}
    for event in HazardEvent.objects.order_by("at", "id"):
        events.setdefault(event.hazard_id, []).append(event)
    for hazard in Hazard.objects.all():
        history = events[hazard.pk]
        report = history[0]
        assert report.action == HazardEvent.Action.REPORT and report.to_state == HazardState.REPORTED
        assert report.actor_id == hazard.found_by_id and report.at == hazard.created_at
        state = HazardState.REPORTED
        for event in history[1:]:
            assert event.from_state == state, (hazard.number, event.action)
            state = event.to_state
            assert event.at <= end_of_today
        assert state == hazard.state
        first = {}
        for event in history:
            first.setdefault(event.action, event.at)
        for action, milestone in MILESTONES.items():
            assert first.get(action) == getattr(hazard, milestone), (hazard.number, action)
        # Started by `start`, or, rectified on the spot, as it was recorded (report_finding does both).
        started = first.get(HazardEvent.Action.REPORT) if hazard.on_the_spot else first.get(HazardEvent.Action.START)
        assert hazard.started_at == started, hazard.number
        submits = [event for event in history if event.action == HazardEvent.Action.SUBMIT]
        if submits:
            assert submits[-1].at == hazard.submitted_at and submits[-1].actor_id == hazard.submitted_by_id
        # One version per action after the recording; report_finding submits on the spot in the same save.
        assert hazard.version == len(history) - (2 if hazard.on_the_spot else 1) + 1


def test_extensions_are_on_record_with_their_requests(ledger):
    for hazard in Hazard.objects.filter(extension_count__gt=0):
        approved = list(hazard.extension_requests.filter(decision=ExtensionRequest.Decision.APPROVED))
        assert len(approved) == hazard.extension_count
        assert max(request.new_deadline for request in approved) == hazard.deadline
    assert ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.APPROVED).exists()


def test_the_rectifier_persona_has_work_to_do_and_sees_it(ledger):
    rectifier = User.objects.get(username="rectifier")
    work = Hazard.objects.filter(rectifying_unit=rectifier.organization, state__in=OPEN_WORK)
    assert work.count() >= 3
    assert set(Hazard.objects.visible_to(rectifier).filter(state__in=OPEN_WORK)) >= set(work)


def test_findings_are_spread_like_the_demo_counties_and_their_departments_work(ledger):
    counties = Counter(Hazard.objects.values_list("region_id", flat=True))
    assert sum(counties[county] for county in COUNTIES) > 0.6 * sum(counties.values())
    assert len(counties) > len(COUNTIES)
    inspector = User.objects.get(username="inspector")
    assert Hazard.objects.filter(found_by=inspector).exists()
    assert Hazard.objects.filter(industry__parent__isnull=False).exists()  # sub-categories where they fit
    assert Hazard.objects.filter(campaign__isnull=False).exists()


def test_hazards_in_work_carry_the_chain_the_workflow_would_have_stored(ledger):
    assigned = Hazard.objects.filter(state__in=IN_WORK)
    assert assigned.exists()
    assert not assigned.filter(responsibility_chain=[]).exists()
    hazard = assigned.filter(rectifying_unit__name="浏阳演示烟花制造有限公司").first()
    layers = {entry["layer"] for entry in hazard.responsibility_chain}
    assert layers == {"enterprise", "department", "territorial", "leadership"}
    named = set(hazard.named_users.values_list("pk", flat=True))
    assert named == {entry["user_id"] for entry in hazard.responsibility_chain if entry.get("user_id")}
    assert not Hazard.objects.exclude(state__in=IN_WORK).exclude(responsibility_chain=[]).exists()


def test_government_bodies_never_rectify_an_enterprises_hazard_nor_answer_for_an_enterprise(ledger):
    """Issue 13 item 3: the enterprise rectifies its own hazards; the chain's enterprise layer is its people."""
    at_enterprises = Hazard.objects.filter(unit__kind=Organization.Kind.ENTERPRISE, rectifying_unit__isnull=False)
    assert at_enterprises.exists()
    assert not at_enterprises.exclude(rectifying_unit=F("unit")).exists()
    members = dict(User.objects.values_list("pk", "organization_id"))
    for hazard in Hazard.objects.filter(state__in=IN_WORK).select_related("rectifying_unit", "unit"):
        for entry in hazard.responsibility_chain:
            if entry["layer"] == "enterprise":
                assert hazard.unit is not None and hazard.unit.kind == Organization.Kind.ENTERPRISE, hazard.number
                assert entry["organization_id"] == hazard.unit_id, hazard.number
                assert members.get(entry["user_id"]) == hazard.unit_id, hazard.number
