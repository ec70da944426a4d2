"""The demo's register of units (企业/单位台账): thousands of enterprises, shops and self-built houses
across the demo cities' counties, most of them never inspected — so that coverage and blind spots
mean something.

Deterministic (a seeded generator) and idempotent: the units are numbered, a rerun adds only those
missing. A few percent of them get an inspection in the last year, some within an active campaign.
"""

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.credit_codes import build_credit_code
from accounts.models import Industry, Organization, Region, User
from demo.people import CITIES
from inspections.models import Campaign, Inspection

SERIAL_BASE = 60_000_000  # credit-code serials of the register, clear of the demo's six enterprises

# (industry code, weight, kind of name, register kind): mostly small premises and houses, as counties' registers are.
INDUSTRIES = [
    ("fire-small-premises", 26, ("超市", "饭店", "宾馆", "网吧", "棋牌室", "服装店"), Organization.Kind.OTHER),
    ("self-built-housing", 18, ("自建房",), Organization.Kind.OTHER),
    (
        "industry-trade",
        14,
        ("机械制造有限公司", "纺织有限公司", "食品有限公司", "家具厂"),
        Organization.Kind.ENTERPRISE,
    ),
    ("construction-housing", 8, ("建筑工程有限公司", "建设有限公司"), Organization.Kind.ENTERPRISE),
    ("fireworks-retail", 8, ("烟花爆竹零售点",), Organization.Kind.OTHER),
    ("fireworks-production", 3, ("花炮厂", "烟花制造有限公司"), Organization.Kind.ENTERPRISE),
    ("hazchem-storage", 4, ("化工仓储有限公司", "化工贸易有限公司"), Organization.Kind.ENTERPRISE),
    ("gas-bottled", 4, ("液化气供应站",), Organization.Kind.ENTERPRISE),
    ("road-freight", 5, ("物流有限公司", "运输有限公司"), Organization.Kind.ENTERPRISE),
    ("non-coal-mine-open-pit", 2, ("石场", "矿业有限公司"), Organization.Kind.ENTERPRISE),
    ("special-equipment", 3, ("电梯工程有限公司", "锅炉房"), Organization.Kind.ENTERPRISE),
    ("gas-catering", 5, ("餐馆", "小吃店"), Organization.Kind.OTHER),
]
TOWNSHIPS = ("城关街道", "东城街道", "西城街道", "南门镇", "北山镇", "新华乡", "长岭镇", "桥头镇", "白沙镇", "石门乡")
WORDS = "兴旺顺达宏福安泰鑫隆华康永盛金源鸿运众诚和信恒通瑞丰"
FAMILY = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
RISK = [("major", 3), ("high", 12), ("general", 45), ("low", 40)]
STATUS = [("operating", 90), ("suspended", 7), ("closed", 3)]
SIZE = {Organization.Kind.OTHER: ["micro"], Organization.Kind.ENTERPRISE: ["small", "small", "medium", "large"]}
INSPECTED_SHARE = 0.12  # most of the register has never been inspected


def _pick(rng: random.Random, weighted: list) -> str:
    return rng.choices([row[0] for row in weighted], weights=[row[1] for row in weighted])[0]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def seed_register(*, count: int, today: date, seed: int = 2026) -> dict[str, int]:
    """Make sure the demo register has `count` units; returns the units and inspections created."""
    rng = random.Random(seed)
    counties = list(
        Region.objects.filter(level=Region.Level.COUNTY, parent_id__in=[f"{city[:4]}00" for city in CITIES]).order_by(
            "code"
        )
    )
    industries = dict(Industry.objects.filter(code__in=[row[0] for row in INDUSTRIES]).values_list("code", "pk"))
    units: list[Organization] = []
    unit_industries: list[int] = []
    for number in range(count):
        county = counties[number % len(counties)]
        code, _weight, names, kind = rng.choices(INDUSTRIES, weights=[row[1] for row in INDUSTRIES])[0]
        township = rng.choice(TOWNSHIPS)
        word = "".join(rng.sample(WORDS, 2))
        name = f"{county.name}{township}{word}{rng.choice(names)}（{number + 1}号）"
        houses = code == "self-built-housing"
        serial = SERIAL_BASE + number
        units.append(
            Organization(
                name=name,
                kind=kind,
                region=county,
                credit_code=""
                if houses or rng.random() < 0.1
                else build_credit_code(region_code=county.code, serial=serial),
                address=f"{county.name}{township}{rng.randrange(1, 40)}组{rng.randrange(1, 200)}号",
                township=township,
                legal_representative=f"{rng.choice(FAMILY)}{rng.choice(WORDS)}",
                legal_representative_phone=_phone(rng),
                safety_contact=f"{rng.choice(FAMILY)}{rng.choice(WORDS)}{rng.choice(WORDS)}",
                safety_contact_phone=_phone(rng),
                size=rng.choice(SIZE[kind]),
                risk_class=_pick(rng, RISK),
                status=_pick(rng, STATUS),
            )
        )
        unit_industries.append(industries[code])
    with transaction.atomic():
        Organization.objects.bulk_create(units, batch_size=2000, ignore_conflicts=True)
        by_name = dict(Organization.objects.filter(name__in=[unit.name for unit in units]).values_list("name", "pk"))
        Through = Organization.industries.through
        Through.objects.bulk_create(
            [
                Through(organization_id=by_name[unit.name], industry_id=industry)
                for unit, industry in zip(units, unit_industries, strict=True)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        inspections = _inspect_a_few(
            rng,
            [(by_name[unit.name], unit, industry) for unit, industry in zip(units, unit_industries, strict=True)],
            today,
        )
    return {"units": len(by_name), "inspections": inspections}


def _inspect_a_few(rng: random.Random, units: list[tuple[int, Organization, int]], today: date) -> int:
    """Give a few units an inspection in the last year (within an active campaign when there is one); once."""
    inspector = User.objects.filter(username="inspector").first()
    if inspector is None or Inspection.objects.filter(unit_id__in=[pk for pk, _unit, _industry in units[:50]]).exists():
        return 0
    campaigns = list(Campaign.objects.filter(start_date__lte=today, end_date__gte=today).order_by("pk"))
    visits = []
    for pk, unit, industry in units:
        if rng.random() >= INSPECTED_SHARE:
            continue
        campaign = rng.choice(campaigns) if campaigns and rng.random() < 0.6 else None
        start = max(today - timedelta(days=365), campaign.start_date) if campaign else today - timedelta(days=365)
        visits.append(
            Inspection(
                inspected_on=start + timedelta(days=rng.randrange(max((today - start).days, 1))),
                region_id=unit.region_id,
                unit_id=pk,
                industry_id=industry,
                campaign=campaign,
                organization_id=inspector.organization_id,
                created_by=inspector,
                notes="演示：登记库抽查",
            )
        )
    created = Inspection.objects.bulk_create(visits, batch_size=2000)
    Team = Inspection.inspectors.through
    Team.objects.bulk_create([Team(inspection_id=visit.pk, user_id=inspector.pk) for visit in created], batch_size=5000)
    return len(created)
