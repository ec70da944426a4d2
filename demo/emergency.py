"""The demo's emergency readiness: duty rosters with a gap or two, plans and drills, rescue teams,
depots with items about to expire, and information reports at each stage — so every page of
/emergency/ looks like a bureau's real use. Made once: a database with a roster is left alone.
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, Post, Region, User
from accounts.roles import Role
from demo.people import CITIES, COUNTIES, FAMILY_NAMES, STAFF_GIVEN_NAMES, DemoSeeder
from emergency import duty, reports
from emergency.models import Depot, Drill, DutyShift, EmergencyPlan, QuickReport, RescueTeam, ReserveItem
from rules.calendar import working_calendar

DUTY_PERSONAS = ("duty", "cityduty")  # 浏阳市 and 长沙市 duty officers who sign in

TEAMS = [
    ("综合性消防救援大队", RescueTeam.Kind.COMPREHENSIVE, 60, "抢险救援车2台、水罐消防车3台、破拆工具组、生命探测仪"),
    ("危险化学品应急救援队", RescueTeam.Kind.CHEMICAL, 25, "防化服30套、气体检测仪6台、堵漏工具组、洗消帐篷"),
    ("森林消防半专业队", RescueTeam.Kind.FOREST, 30, "风力灭火机20台、水泵4台、对讲机30部"),
    ("蓝天救援队", RescueTeam.Kind.SOCIAL, 40, "冲锋舟2艘、无人机3架、绳索救援装备"),
]
ITEMS = [
    (ReserveItem.Kind.PROTECTION, "正压式空气呼吸器", 40, "具", 30, 400),
    (ReserveItem.Kind.FLOOD, "防汛编织袋", 8000, "条", 10000, None),
    (ReserveItem.Kind.MEDICAL, "急救包", 120, "个", 50, 12),
    (ReserveItem.Kind.LIGHTING, "移动照明灯塔", 6, "台", 4, None),
    (ReserveItem.Kind.FIRE, "干粉灭火器（8kg）", 300, "具", 200, -20),
    (ReserveItem.Kind.LIVING, "折叠床", 500, "张", 300, None),
    (ReserveItem.Kind.CHEMICAL, "吸附棉", 200, "kg", 100, 700),
]


def _bureau(region: Region) -> Organization:
    suffix = "厅" if region.level == Region.Level.PROVINCE else "局"
    return Organization.objects.get(region=region, name=f"{region.name}应急管理{suffix}")


def _chief(bureau: Organization) -> User | None:
    post = Post.objects.filter(organization=bureau, duty=Post.Duty.PRINCIPAL, holder__isnull=False).first()
    return post.holder if post else None


def _officers(seeder: DemoSeeder, bureau: Organization) -> list[User]:
    region = bureau.region
    officers = []
    for index in range(1, 4):
        persona = {("430181", 1): "duty", ("430100", 1): "cityduty"}.get((region.code, index))
        officers.append(
            seeder.user(
                persona or f"{region.code}-duty-{index}",
                family=FAMILY_NAMES[(index + 11 + int(region.code[2:4])) % len(FAMILY_NAMES)],
                given=STAFF_GIVEN_NAMES[(index * 7 + int(region.code[4:])) % len(STAFF_GIVEN_NAMES)],
                organization=bureau,
                region=region,
                roles=[Role.DUTY_OFFICER],
                login=persona is not None,
            )
        )
    return officers


def _roster(bureau: Organization, leaders: list[User], officers: list[User], days: list[date], skip: set[date]) -> int:
    made = 0
    for index, day in enumerate(days):
        duty.put_shift(
            bureau,
            day,
            leading_cadre=None if day in skip else leaders[index % len(leaders)],
            officers=[officers[index % len(officers)], officers[(index + 1) % len(officers)]],
            phone=f"0731-8{bureau.region.code[2:]}0",
        )
        made += 1
    return made


@transaction.atomic
def seed_emergency(*, password: str, today: date | None = None) -> dict[str, int]:
    """Rosters, plans, drills, forces, reserves and reports for the demo regions; nothing if a roster exists."""
    counts = {"shifts": 0, "plans": 0, "teams": 0, "depots": 0, "reports": 0}
    if DutyShift.objects.exists():
        return counts
    today = today or timezone.localdate()
    seeder = DemoSeeder(password)
    calendar = working_calendar()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    days = [
        first + timedelta(days=offset)
        for offset in range(((today.replace(day=28) + timedelta(days=40)).replace(day=1) - first).days)
    ]
    for code in ["430000", *CITIES, *COUNTIES]:
        region = Region.objects.get(code=code)
        bureau = _bureau(region)
        officers = _officers(seeder, bureau)
        leaders = [person for person in [_chief(bureau), *officers[:1]] if person is not None]
        # The 浏阳市 bureau has left the first two rest days of next month without a leading cadre.
        upcoming_rest = [day for day in days if day > today and duty.needs_leading_cadre(day, calendar)]
        skip = set(upcoming_rest[:2]) if code == "430181" else set()
        counts["shifts"] += _roster(bureau, leaders, officers, days, skip)
        for index, (name, team_kind, members, equipment) in enumerate(TEAMS[: 2 + len(code) % 3]):
            RescueTeam.objects.create(
                name=f"{region.name}{name}",
                kind=team_kind,
                region=region,
                organization=bureau,
                head_count=members,
                equipment=equipment,
                contact=officers[index % 3].get_full_name(),
                phone=f"139{code}{index:02d}",
                readiness=RescueTeam.Readiness.LIMITED if index == 3 else RescueTeam.Readiness.READY,
            )
            counts["teams"] += 1
        depot = Depot.objects.create(
            name=f"{region.name}应急物资储备库",
            region=region,
            organization=bureau,
            address=f"{region.name}应急指挥中心东侧",
            keeper=officers[2].get_full_name(),
            phone=f"0731-9{code[2:]}",
        )
        counts["depots"] += 1
        for kind, name, quantity, unit, minimum, expires_in in ITEMS:
            ReserveItem.objects.create(
                depot=depot,
                kind=kind,
                name=name,
                quantity=quantity,
                unit=unit,
                minimum=minimum,
                expires_on=today + timedelta(days=expires_in) if expires_in is not None else None,
                checked_on=today - timedelta(days=20),
            )
        plan = EmergencyPlan.objects.create(
            organization=bureau,
            title=f"{region.name}生产安全事故应急预案",
            kind=EmergencyPlan.Kind.COMPREHENSIVE,
            version="2024版",
            approved_on=date(today.year - 2, 3, 1),
            filed_on=date(today.year - 2, 3, 20),
            revision_due=date(today.year + 1, 3, 1),
        )
        counts["plans"] += 1
        Drill.objects.create(
            plan=plan,
            held_on=today - timedelta(days=45),
            scope="桌面推演",
            participants=35,
            assessment="信息报送流程顺畅，跨部门联动响应时间偏长。",
            recorded_by=officers[0],
        )
    for index, enterprise in enumerate(
        Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, region__code__in=COUNTIES).order_by("pk")
    ):
        if index % 3 == 2:
            continue  # some units have no plan: the plans page lists them
        EmergencyPlan.objects.create(
            organization=enterprise,
            title=f"{enterprise.name}生产安全事故综合应急预案",
            kind=EmergencyPlan.Kind.COMPREHENSIVE,
            version="2023版",
            approved_on=date(today.year - 3, 6, 1),
            filed_on=date(today.year - 3, 6, 15),
            revision_due=today - timedelta(days=30) if index == 0 else date(today.year + 1, 6, 1),
        )
        counts["plans"] += 1
    counts["reports"] = _reports(today)
    return counts


def _reports(today: date) -> int:
    """A closed chain from last month, an acknowledged one in progress, and a fresh one nobody has acknowledged."""
    county_duty = User.objects.get(username="duty")
    city_duty = User.objects.get(username="cityduty")
    liuyang = Region.objects.get(code="430181")
    unit = Organization.objects.filter(region=liuyang, kind=Organization.Kind.ENTERPRISE).first()
    now = timezone.now()

    def first(occurred: datetime, **fields) -> QuickReport:
        return QuickReport.objects.create(
            stage=QuickReport.Stage.FIRST,
            occurred_at=occurred,
            region=liuyang,
            reporter=county_duty,
            reporting_body=county_duty.organization,
            reported_at=occurred + timedelta(minutes=35),
            **fields,
        )

    closed = first(
        now - timedelta(days=26, hours=3),
        category=QuickReport.Category.FIRE,
        unit=unit,
        place="大瑶镇某仓库",
        summary="成品仓库外堆放纸箱起火，未蔓延至库内。",
        injuries=0,
        measures="企业义务消防队扑救，消防救援大队到场后明火扑灭。",
        acknowledged_by=city_duty,
        acknowledged_at=now - timedelta(days=26, hours=2),
    )
    QuickReport.objects.create(
        first=closed,
        stage=QuickReport.Stage.FINAL,
        category=closed.category,
        occurred_at=closed.occurred_at,
        region=liuyang,
        unit=unit,
        place=closed.place,
        summary="火灾原因为电动叉车充电线路短路，无人员伤亡。",
        measures="责令企业整改充电区域，已纳入隐患台账。",
        reporter=county_duty,
        reported_at=now - timedelta(days=25),
    )
    QuickReport.objects.filter(pk=closed.pk).update(closed_at=now - timedelta(days=25))
    ongoing = first(
        now - timedelta(hours=5),
        category=QuickReport.Category.PRODUCTION_ACCIDENT,
        place="G106国道浏阳段",
        summary="一辆运输液化石油气的槽罐车侧翻，罐体无泄漏。",
        injuries=1,
        measures="交警封闭道路，危化品救援队到场监测。",
        acknowledged_by=city_duty,
        acknowledged_at=now - timedelta(hours=4),
    )
    QuickReport.objects.create(
        first=ongoing,
        stage=QuickReport.Stage.FOLLOW_UP,
        category=ongoing.category,
        occurred_at=ongoing.occurred_at,
        region=liuyang,
        place=ongoing.place,
        summary="倒罐作业完成，道路恢复通行。",
        injuries=1,
        measures="伤者送浏阳市人民医院，生命体征平稳。",
        reporter=county_duty,
        reported_at=now - timedelta(hours=1),
    )
    fresh = QuickReport(
        category=QuickReport.Category.NATURAL_DISASTER,
        occurred_at=now - timedelta(minutes=15),
        region=liuyang,
        place="小河乡某村",
        summary="强降雨引发山体滑坡，冲毁一栋自建房附属用房。",
        missing=0,
        injuries=0,
        measures="已转移周边群众12人，乡村干部现场值守。",
    )
    reports.file_report(actor=county_duty, report=fresh)
    return 4


__all__ = ["DUTY_PERSONAS", "seed_emergency"]
