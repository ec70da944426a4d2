"""Nothing useful dropped (排查人, 备注, 整改情况, 复查*), and historical ledgers: last year's closed items keep
their own dates and states, moved through the workflow's transition table."""

from datetime import date

import pytest
from django.utils import translation

from hazards import workflow
from hazards.models import Hazard, HazardEvent
from tests.factories import UserFactory
from tests.ledger.test_import import check, page_text, upload, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

HEADERS = ["排查时间", "排查人", "隐患部位", "隐患名称", "隐患等级", "行业", "县区", "场所", "治理措施", "完成时限"]
HEADERS += ["整改情况", "复查时间", "复查人", "复查结果", "备注"]


def past_row(title: str, **changes) -> list:
    values = {
        "排查时间": date(2025, 3, 1),
        "排查人": "王外聘",
        "隐患部位": "仓库",
        "隐患名称": title,
        "隐患等级": "一般",
        "行业": "烟花爆竹零售",
        "县区": "浏阳市",
        "场所": "浏阳某零售点",
        "治理措施": "清理",
        "完成时限": date(2025, 3, 15),
        "整改情况": None,
        "复查时间": None,
        "复查人": None,
        "复查结果": None,
        "备注": None,
    }
    values.update(changes)
    return [values[header] for header in HEADERS]


def imported(inspector, rows: list[list]) -> list[Hazard]:
    result = check(workbook(rows, HEADERS), inspector)
    assert result.is_valid, [row.errors for row in result.bad_rows]
    with translation.override("en"):
        workflow.import_findings(
            actor=inspector, findings=result.findings(), file_name="2025台账.xlsx", histories=result.histories
        )
    return list(Hazard.objects.order_by("number"))


def test_a_closed_item_of_last_year_is_closed_on_its_own_dates_through_the_transition_table(inspector):
    reviewer = UserFactory(organization=inspector.organization, last_name="李", first_name="复查")
    [hazard] = imported(
        inspector,
        [
            past_row(
                "超量存放",
                整改情况="是",
                复查时间=date(2025, 3, 20),
                复查人="李复查",
                复查结果="合格",
                备注="春节前检查",
            )
        ],
    )
    assert hazard.state == Hazard.State.CLOSED
    assert hazard.number.startswith("HN-430181-2025-")
    assert hazard.found_on == date(2025, 3, 1)
    assert [value.date().isoformat() for value in (hazard.assigned_at, hazard.submitted_at, hazard.closed_at)] == [
        "2025-03-01",
        "2025-03-20",
        "2025-03-20",
    ]
    assert hazard.verified_by == reviewer and hazard.verified_at.date() == date(2025, 3, 20)
    assert "合格" in hazard.acceptance_opinion
    assert hazard.remarks == "春节前检查" and hazard.finder_name == "王外聘" and hazard.found_by == inspector
    events = list(hazard.events.order_by("at", "id").values_list("action", "to_state", "at__date", "reason"))
    assert [(action, state, day) for action, state, day, _reason in events] == [
        ("report", "reported", date(2025, 3, 1)),
        ("assign", "assigned", date(2025, 3, 1)),
        ("start", "rectifying", date(2025, 3, 1)),
        ("submit", "submitted", date(2025, 3, 20)),
        ("verify", "verified", date(2025, 3, 20)),
        ("close", "closed", date(2025, 3, 20)),
    ]
    assert {reason for *_rest, reason in events} == {"Imported from 2025台账.xlsx, row 2."}


def test_rectified_without_an_acceptance_record_waits_for_acceptance_never_closed(inspector):
    done, open_, failed = imported(
        inspector,
        [
            past_row("已整改未复查", 整改情况="√"),
            past_row("未整改", 整改情况="否"),
            past_row("复查不合格", 整改情况="是", 复查时间=date(2025, 3, 20), 复查结果="不合格"),
        ],
    )
    assert done.state == Hazard.State.SUBMITTED and done.closed_at is None and done.verified_by is None
    assert done.submitted_at.date() == date(2025, 3, 15)  # the deadline, past: the day it was due
    assert "整改情况: √" in done.completion_report
    assert open_.state == Hazard.State.REPORTED and open_.assigned_at is None
    assert failed.state == Hazard.State.SUBMITTED and failed.submitted_at.date() == date(2025, 3, 20)
    assert not HazardEvent.objects.filter(action__in=["verify", "close"]).exists()


def test_the_finder_named_in_the_ledger_is_the_user_when_one_of_the_organisation(inspector):
    colleague = UserFactory(organization=inspector.organization, last_name="赵", first_name="排查")
    UserFactory(last_name="钱", first_name="外单位")  # another organisation's user is not matched
    first, second = imported(inspector, [past_row("一", 排查人="赵排查"), past_row("二", 排查人="钱外单位")])
    assert (first.found_by, first.finder_name) == (colleague, "")
    assert (second.found_by, second.finder_name) == (inspector, "钱外单位")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"复查时间": date(2027, 1, 1), "整改情况": "是", "复查结果": "合格"}, "L2: This date is in the future."),
        (
            {"复查时间": date(2025, 2, 1), "整改情况": "是", "复查结果": "合格"},
            "L2: This date is before the date found.",
        ),
        ({"整改情况": "差不多"}, "K2: “差不多” is not one of: 是、否、√、×."),
    ],
)
def test_a_history_that_cannot_be_is_refused_with_the_cell_named(inspector, changes, message):
    result = check(workbook([past_row("x", **changes)], HEADERS), inspector)
    assert message in result.rows[0].errors


def test_the_dry_run_says_how_each_past_row_will_be_imported(client, inspector):
    rows = [
        past_row("已闭环", 整改情况="是", 复查时间=date(2025, 3, 20), 复查结果="通过"),
        past_row("待验收", 整改情况="是"),
    ]
    client.force_login(inspector)
    text = page_text(upload(client, workbook(rows, HEADERS), action="check"))
    assert "closed on 2025-03-20, after acceptance" in text and "rectified on 2025-03-15, awaiting acceptance" in text
    assert Hazard.objects.count() == 0
    assert upload(client, workbook(rows, HEADERS)).status_code == 302
    assert sorted(Hazard.objects.values_list("state", flat=True)) == ["closed", "submitted"]


def test_a_state_column_says_rectified_but_never_closes_without_a_review(inspector):
    headers = ["排查时间", "隐患名称", "行业", "县区", "场所", "隐患状态"]
    rows = [
        [date(2025, 3, 1), "已销号无复查", "烟花爆竹零售", "浏阳市", "浏阳某零售点", "已销号"],
        [date(2025, 3, 1), "整改中", "烟花爆竹零售", "浏阳市", "浏阳某零售点", "整改中"],
    ]
    result = check(workbook(rows, headers), inspector)
    assert result.is_valid, [row.errors for row in result.bad_rows]
    with translation.override("en"):
        workflow.import_findings(
            actor=inspector, findings=result.findings(), file_name="x.xlsx", histories=result.histories
        )
    assert dict(Hazard.objects.values_list("title", "state")) == {"已销号无复查": "submitted", "整改中": "reported"}
