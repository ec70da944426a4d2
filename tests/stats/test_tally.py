"""The statistics' tallies stay equal to the ledger, and the figures read from them equal a count of its rows.

Hazards go through every path that writes the ledger (report, assign, start, submit, reject and
submit again, accept, close, void, self-report, import with history, extension, edit, delete); after
each step the tallies equal a recount. Then, on a scene of findings from December to today, every
figure of the table (every persona, period and breakdown) and of the dashboard equals the same
figure counted from the ledger's rows without the tallies.
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hazards import workflow
from hazards.models import Hazard
from hazards.workflow import ImportedHistory
from stats import tally
from stats.dashboard import build_dashboard
from stats.models import FindingTally, UnitTally
from stats.periods import Period
from stats.table import BY_INDUSTRY, BY_REGION, statistics_table
from tests.factories import HazardFactory, industry, region
from tests.hazards.workflow_helpers import (
    ask_extension,
    close,
    county_head,
    head_out_of_scope,
    in_days,
    move_to,
    report,
    start,
    submit,
    verify,
)
from tests.hazards.workflow_helpers import assign as assign_to
from tests.stats.scene import build_scene, territorial_city_head

# The tallies are kept on PostgreSQL only (stats.tally.in_use); elsewhere the statistics count the ledger.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = date(2026, 6, 15)
AGREE = {tally.FINDINGS: 0, tally.UNITS: 0}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def tallied() -> int:
    return sum(FindingTally.objects.values_list("hazards", flat=True))


def counted() -> int:
    return Hazard.objects.exclude(state=Hazard.State.VOID).count()


def test_the_tallies_equal_a_recount_after_every_path_that_writes_the_ledger(head, rectifier, inspector):
    assert tally.in_use()
    unit = rectifier.organization
    steps = []

    def step(name):
        steps.append((name, tally.differences(), tallied(), counted()))

    general = report(inspector, unit=unit)
    step("report")
    major = report(inspector, level=Hazard.Level.MAJOR, unit=unit)
    assign_to(major, head, unit, deadline=in_days(20))
    step("assign")
    start(major, rectifier)
    step("start")
    submit(major, rectifier)
    step("submit")
    workflow.reject(actor=head, hazard_id=major.pk, reason="照片不清晰，重新提交。")
    step("reject (back to rework)")
    submit(major, rectifier)
    verify(major, head)
    step("verify")
    workflow.list_for_supervision(actor=head, hazard_id=major.pk, level=Hazard.ListedLevel.CITY)
    close(major, head)
    step("close")
    workflow.void(actor=head, hazard_id=general.pk, reason="重复录入。")
    step("void")
    late = move_to(report(inspector, unit=unit), Hazard.State.RECTIFYING, head=head, rectifier=rectifier)
    extension = ask_extension(late, rectifier)
    workflow.decide_extension(actor=head, hazard_id=late.pk, approve=True)
    step(f"extension to {extension.new_deadline}")
    self_found = Hazard(
        title="仓库消防通道堆放杂物",
        description="成品仓库东侧消防通道堆放纸箱。",
        industry=industry("fireworks-production"),
        level=Hazard.Level.GENERAL,
        found_on=TODAY,
        measures="当日清理通道。",
    )
    workflow.report_self_found(actor=rectifier, hazard=self_found, deadline=in_days(5))
    step("self-report")
    fresh = report(inspector, unit=unit)
    workflow.edit_finding(
        actor=inspector,
        hazard_id=fresh.pk,
        changes={"level": Hazard.Level.MAJOR, "region": region("430182")},
        version=fresh.version,
    )
    step("edit (level and county)")
    imported = [
        Hazard(
            title=f"历史台账隐患 {n}",
            description="仓库超量存放。",
            industry=industry("fireworks-retail"),
            region=region("430181"),
            site_name="浏阳某零售点",
            found_on=date(2025, 3, n),
            deadline=date(2025, 3, 20),
        )
        for n in (1, 2)
    ]
    histories = {
        1: ImportedHistory(rectified_on=date(2025, 3, 10), accepted_on=date(2025, 3, 12), acceptor=head),
        2: ImportedHistory(rectified_on=date(2025, 3, 25)),
    }
    workflow.import_findings(
        actor=inspector, findings=list(enumerate(imported, start=1)), file_name="2025.xlsx", histories=histories
    )
    step("import with history")
    HazardFactory(level=Hazard.Level.MAJOR, unit=unit).delete()  # a row with no history yet
    step("insert and delete")

    assert [(name, found) for name, found, _t, _c in steps] == [(name, AGREE) for name, *_ in steps]
    assert [(name, t) for name, _d, t, _c in steps] == [(name, c) for name, _d, _t, c in steps]
    assert [h.state for h in Hazard.objects.filter(title__startswith="历史台账").order_by("found_on")] == [
        Hazard.State.CLOSED,
        Hazard.State.SUBMITTED,
    ]
    assert UnitTally.objects.filter(unit=unit, hazards__gt=0).exists()


def test_rebuild_tallies_finds_a_tally_that_drifted_and_counts_it_again(head, rectifier, inspector):
    move_to(report(inspector, unit=rectifier.organization), Hazard.State.CLOSED, head=head, rectifier=rectifier)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {tally.FINDINGS} SET hazards = hazards + 3")

    with pytest.raises(CommandError, match="differ from the ledger"):
        call_command("rebuild_tallies", "--check")
    call_command("rebuild_tallies")
    call_command("rebuild_tallies", "--check")

    assert tally.differences() == AGREE
    assert tallied() == counted() == 1


@pytest.fixture
def scene(head, inspector, rectifier):
    hazards = build_scene()
    # Beyond the head's jurisdiction: a finding in 株洲 whose responsibility chain names the head,
    # counted for the head from the ledger beside the tallies.
    hazards["I"].named_users.add(head)
    # Findings of every kind through the workflow, found today and in earlier months.
    for state, level, found_on in (
        (Hazard.State.CLOSED, Hazard.Level.GENERAL, date(2026, 4, 3)),
        (Hazard.State.VERIFIED, Hazard.Level.MAJOR, date(2026, 5, 20)),
        (Hazard.State.SUBMITTED, Hazard.Level.GENERAL, date(2026, 6, 2)),
        (Hazard.State.RECTIFYING, Hazard.Level.MAJOR, date(2026, 1, 9)),
        (Hazard.State.ASSIGNED, Hazard.Level.GENERAL, date(2025, 11, 30)),
        (Hazard.State.VOID, Hazard.Level.GENERAL, date(2026, 2, 14)),
    ):
        hazard = report(inspector, unit=rectifier.organization, level=level, found_on=found_on)
        move_to(hazard, state, head=head, rectifier=rectifier)
    return hazards


PERIODS = [
    Period.year_to_date(TODAY),
    Period.year(2025),
    Period.quarter(2026, 1),
    Period.quarter(2026, 2),
    Period.month(2026, 6),
    Period.month(2025, 12),
    Period(date(2026, 2, 10), date(2026, 5, 20)),  # ends mid-month in the past: counted from the ledger
    Period(date(2026, 3, 15), date(2026, 6, 30)),
]


def _figures(table):
    return [(row.key, row.values) for row in [*table.rows, table.total]]


@pytest.mark.parametrize("by", [BY_REGION, BY_INDUSTRY])
def test_every_figure_of_the_table_from_the_tallies_equals_the_ledgers_count(
    scene, province, head, inspector, rectifier, by
):
    outsider = head_out_of_scope()
    people = [province, head, inspector, rectifier, county_head(), outsider, territorial_city_head()]
    assert tally.differences() == AGREE
    compared = 0
    for user in people:
        for period in PERIODS:
            from_tallies = statistics_table(user, period, by=by, today=TODAY)
            from_ledger = statistics_table(user, period, by=by, today=TODAY, tallies=False)
            assert _figures(from_tallies) == _figures(from_ledger), (user.username, period)
            compared += 1
    # The scene is not empty for those who must see it, and empty for the one who must not.
    year = Period.year_to_date(TODAY)
    assert statistics_table(province, year, by=by, today=TODAY).total.values["general"] > 0
    assert statistics_table(head, year, by=by, today=TODAY).total.values["general"] > 0
    # The 株洲 head sees 株洲's findings only: the province's 株洲 row, none of 长沙's.
    outside = statistics_table(outsider, year, by=BY_REGION, today=TODAY).total.values
    zhuzhou = next(row for row in statistics_table(province, year, today=TODAY).rows if row.key == "4302").values
    changsha = next(row for row in statistics_table(province, year, today=TODAY).rows if row.key == "4301").values
    assert (outside["general"], outside["major"]) == (zhuzhou["general"], zhuzhou["major"])
    assert changsha["general"] > 0
    assert compared == len(people) * len(PERIODS)


def test_the_dashboard_from_the_tallies_equals_the_ledgers_count(scene, province, head, inspector):
    for user in (province, head, inspector, territorial_city_head()):
        from_tallies, from_ledger = build_dashboard(user, TODAY), build_dashboard(user, TODAY, tallies=False)

        assert [(f.label, f.value) for f in from_tallies.headline] == [(f.label, f.value) for f in from_ledger.headline]
        assert [c.as_json() for c in from_tallies.charts] == [c.as_json() for c in from_ledger.charts]
    trend = build_dashboard(province, TODAY).chart("trend")
    assert sum(sum(series.values) for series in trend.series) > 0
