"""Handovers signed by two, drills whose findings go on the ledger, reserves that expire."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from emergency import services
from emergency.models import Alert, Depot, Drill, EmergencyPlan, RescueTeam, ReserveItem
from hazards.models import Hazard, HazardState
from tests.emergency.scene import county_government, duty_officer, principal_of, shift
from tests.factories import UserFactory, industry, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def test_a_handover_is_signed_by_the_outgoing_then_by_someone_else_taking_over():
    body = county_government()
    outgoing, incoming = duty_officer(body, "out"), duty_officer(body, "in")
    today = shift(body, timezone.localdate(), officers=[outgoing])
    with pytest.raises(services.EmergencyError, match="on this shift"):
        services.hand_over(actor=incoming, shift=today, happened="无", pending="")
    handover = services.hand_over(
        actor=outgoing, shift=today, happened="接报一起交通事故，已处置。", pending="跟进伤员情况。"
    )
    with pytest.raises(services.EmergencyError, match="two people"):
        services.take_over(actor=outgoing, handover=handover)
    services.take_over(actor=incoming, handover=handover)
    assert handover.is_signed_by_both and handover.incoming == incoming
    with pytest.raises(services.EmergencyError, match="already"):
        services.take_over(actor=UserFactory(organization=body), handover=handover)


def test_a_drill_finding_goes_on_the_ledger_as_a_reported_hazard(inspector, rectifier):
    plan = EmergencyPlan.objects.create(
        organization=rectifier.organization, title="燃爆事故专项应急预案", kind=EmergencyPlan.Kind.SPECIAL
    )
    drill = services.record_drill(
        actor=inspector,
        drill=Drill(
            plan=plan, held_on=date(2026, 6, 10), scope="实战演练", participants=40, assessment="疏散用时超预期。"
        ),
    )
    hazard = Hazard(
        title="应急疏散通道堆放杂物",
        description="演练中发现二号疏散通道被成品箱堵塞。",
        industry=industry("fireworks-production"),
        region=region("430181"),
        unit=rectifier.organization,
        found_on=drill.held_on,
    )
    services.add_drill_finding(actor=inspector, drill=drill, hazard=hazard)
    on_ledger = Hazard.objects.visible_to(inspector).get(drills=drill)
    assert on_ledger.state == HazardState.REPORTED and on_ledger.number
    assert "燃爆事故专项应急预案" in on_ledger.events.get().reason


def test_expired_expiring_and_short_items_are_flagged_and_their_heads_told_once(settings):
    settings.EMERGENCY_EXPIRY_WARNING_DAYS = 30
    body = county_government()
    principal = principal_of(body)
    depot = Depot.objects.create(
        name="浏阳市应急物资储备库",
        region=region("430181"),
        organization=body,
        address="集里街道",
        keeper="李四",
        phone="0731-1",
    )
    today = timezone.localdate()
    expired = ReserveItem.objects.create(
        depot=depot, kind="protection", name="防毒面具", quantity=50, unit="个", expires_on=today - timedelta(days=1)
    )
    expiring = ReserveItem.objects.create(
        depot=depot, kind="medical", name="急救包", quantity=20, unit="个", expires_on=today + timedelta(days=20)
    )
    short = ReserveItem.objects.create(depot=depot, kind="flood", name="编织袋", quantity=800, minimum=1000, unit="条")
    ReserveItem.objects.create(
        depot=depot, kind="lighting", name="应急灯", quantity=30, unit="台", expires_on=today + timedelta(days=200)
    )
    flagged = set(services.flagged_items(ReserveItem.objects.all(), today))
    assert flagged == {expired, expiring, short}
    assert services.remind_reserves(today) == 3
    assert services.remind_reserves(today) == 0
    assert Alert.objects.filter(recipient=principal, reason=Alert.Reason.RESERVE).count() == 3


def test_the_nearest_teams_come_first():
    for name, code in (("株洲队", "430200"), ("浏阳队", "430181"), ("长沙市队", "430100")):
        RescueTeam.objects.create(
            name=name, kind="comprehensive", region=region(code), head_count=10, contact="王", phone="1"
        )
    ordered = services.nearest_first(RescueTeam.objects.all(), "430181")
    assert [team.name for team in ordered] == ["浏阳队", "长沙市队", "株洲队"]
