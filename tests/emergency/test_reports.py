"""Information reports: the level above is told at once, acknowledges, or the report escalates — once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from emergency import reports
from emergency.models import Alert, QuickReport
from tests.emergency.scene import city_on_duty_today, province_on_duty_today
from tests.factories import region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def _first_report(inspector) -> QuickReport:
    report = QuickReport(
        category=QuickReport.Category.PRODUCTION_ACCIDENT,
        occurred_at=timezone.now() - timedelta(minutes=20),
        region=region("430181"),
        place="浏阳市大瑶镇某烟花厂",
        summary="一车间发生燃爆，厂房部分垮塌。",
        deaths=0,
        injuries=2,
        measures="已疏散周边群众，消防救援队伍已到场。",
    )
    return reports.file_report(actor=inspector, report=report)


def test_a_county_report_tells_whoever_is_on_duty_at_the_city_at_once(inspector, head):
    _shift, city_officer = city_on_duty_today(head)
    report = _first_report(inspector)
    told = set(
        Alert.objects.filter(report=report, reason=Alert.Reason.REPORT_FILED).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"head", "city-officer"}
    assert report.reporter == inspector and report.stage == QuickReport.Stage.FIRST


def test_the_county_cannot_acknowledge_its_own_report_and_the_city_can_once(inspector, head):
    city_on_duty_today(head)
    report = _first_report(inspector)
    with pytest.raises(reports.ReportError, match="level above"):
        reports.acknowledge(actor=inspector, report=report)
    reports.acknowledge(actor=head, report=report)
    assert report.acknowledged_by == head and report.acknowledged_at is not None
    with pytest.raises(reports.ReportError, match="Already acknowledged"):
        reports.acknowledge(actor=head, report=report)


def test_a_report_nobody_acknowledges_escalates_once_to_the_city_leader_and_the_province(
    inspector, head, province, settings, frozen_today
):
    settings.EMERGENCY_ACKNOWLEDGE_WITHIN_MINUTES = 30
    city_on_duty_today(head)
    province_on_duty_today(province)
    report = _first_report(inspector)

    frozen_today.shift(timedelta(minutes=29))
    assert reports.escalate_unacknowledged() == 0

    frozen_today.shift(timedelta(minutes=2))
    assert reports.escalate_unacknowledged() == 1
    escalated = set(
        Alert.objects.filter(report=report, reason=Alert.Reason.REPORT_ESCALATED).values_list(
            "recipient__username", flat=True
        )
    )
    # The city's leading cadre again (not its officers), and everyone on duty at the province.
    assert escalated == {"head", "province-officer", "province-leader"}

    frozen_today.shift(timedelta(minutes=10))
    assert reports.escalate_unacknowledged() == 0  # exactly once
    assert Alert.objects.filter(report=report, reason=Alert.Reason.REPORT_ESCALATED).count() == 3


def test_an_acknowledged_report_does_not_escalate(inspector, head, frozen_today):
    city_on_duty_today(head)
    report = _first_report(inspector)
    reports.acknowledge(actor=head, report=report)
    frozen_today.shift(timedelta(hours=2))
    assert reports.escalate_unacknowledged() == 0


def test_follow_ups_then_the_final_report_close_the_chain(inspector, head):
    city_on_duty_today(head)
    first = _first_report(inspector)
    reports.follow_up(
        actor=inspector,
        first=first,
        report=QuickReport(place=first.place, summary="伤者已送医。", measures="现场已控制。", injuries=3),
    )
    reports.follow_up(
        actor=inspector,
        first=first,
        report=QuickReport(place=first.place, summary="处置结束。", measures="转入调查。", injuries=3),
        final=True,
    )
    first.refresh_from_db()
    assert first.closed_at is not None
    assert list(first.follow_ups.values_list("stage", flat=True).order_by("reported_at", "id")) == [
        "follow_up",
        "final",
    ]
    with pytest.raises(reports.ReportError, match="closed"):
        reports.follow_up(actor=inspector, first=first, report=QuickReport(place="x", summary="x", measures="x"))


def test_a_report_for_a_county_outside_the_jurisdiction_is_refused(inspector):
    report = QuickReport(
        category=QuickReport.Category.FIRE,
        occurred_at=timezone.now(),
        region=region("430281"),
        place="醴陵市",
        summary="火灾",
        measures="扑救中",
    )
    with pytest.raises(reports.ReportError, match="jurisdiction"):
        reports.file_report(actor=inspector, report=report)


def test_a_unit_cannot_file_a_report(rectifier):
    report = QuickReport(
        category=QuickReport.Category.FIRE,
        occurred_at=timezone.now(),
        region=region("430181"),
        place="x",
        summary="x",
        measures="x",
    )
    with pytest.raises(reports.ReportError):
        reports.file_report(actor=rectifier, report=report)
