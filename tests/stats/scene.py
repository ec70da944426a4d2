"""A hand-counted scene for the statistics: a dozen findings in 长沙 and 株洲 around the frozen day (2026-06-15).

Each finding's comment says which columns of the 2026 cumulative table (1 January to 15 June) it
counts in; tests/stats/test_table.py checks the figures counted by hand from these comments.
"""

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.http import QueryDict

from accounts.models import Organization
from accounts.roles import Role
from hazards.filters import HazardFilter
from hazards.models import Hazard
from tests.factories import EnterpriseFactory, HazardFactory, OrganizationFactory, UserFactory, industry, region

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Hazard.State


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def build_scene() -> dict[str, Hazard]:
    finder = UserFactory(organization=OrganizationFactory(region=region("430000")))
    u1 = EnterpriseFactory(name="浏阳一号烟花厂", region=region("430181"))
    u2 = EnterpriseFactory(name="醴陵二号烟花厂", region=region("430281"))
    u3 = EnterpriseFactory(name="宁乡三号烟花厂", region=region("430182"))
    fireworks = industry("fireworks-production")
    base = {"found_by": finder, "industry": fireworks}
    plan = {
        "goals": "消除超量存药",
        "funds": Decimal("50.00"),
        "responsible_person": "李四",
        "contingency_plan": "停产撤人",
        "measures": "清理库存",
    }
    hazards = {
        # general, rectified, due and handed in on time; funds 1.5
        "A": HazardFactory(
            **base,
            region=region("430181"),
            unit=u1,
            rectifying_unit=u1,
            found_on=date(2026, 2, 1),
            deadline=date(2026, 2, 20),
            state=S.CLOSED,
            assigned_at=at(date(2026, 2, 2)),
            submitted_at=at(date(2026, 2, 9)),
            verified_at=at(date(2026, 2, 10)),
            closed_at=at(date(2026, 2, 11)),
            funds=Decimal("1.50"),
        ),
        # general, due, due and not rectified, overdue today
        "B": HazardFactory(
            **base,
            region=region("430181"),
            unit=u1,
            rectifying_unit=u1,
            found_on=date(2026, 3, 1),
            deadline=date(2026, 3, 31),
            state=S.RECTIFYING,
            assigned_at=at(date(2026, 3, 2)),
        ),
        # found on the last day of 2025, accepted late that evening: counts in December 2025 only
        "C": HazardFactory(
            **base,
            region=region("430181"),
            unit=u1,
            found_on=date(2025, 12, 31),
            state=S.VERIFIED,
            verified_at=at(date(2025, 12, 31), 23, 30),
        ),
        # general on 1 January (the first day in), rectified, due, handed in a day late
        "D": HazardFactory(
            **base,
            region=region("430281"),
            unit=u2,
            rectifying_unit=u2,
            found_on=date(2026, 1, 1),
            deadline=date(2026, 1, 3),
            state=S.VERIFIED,
            assigned_at=at(date(2026, 1, 1)),
            submitted_at=at(date(2026, 1, 4)),
            verified_at=at(date(2026, 1, 5)),
        ),
        # a major of last year still open: on the plan, all five in place, listed by the province
        "E": HazardFactory(
            **base,
            **plan,
            region=region("430181"),
            unit=u1,
            rectifying_unit=u1,
            level=Hazard.Level.MAJOR,
            found_on=date(2025, 10, 1),
            deadline=date(2026, 9, 30),
            state=S.RECTIFYING,
            assigned_at=at(date(2025, 10, 2)),
            listed_level=Hazard.ListedLevel.PROVINCE,
        ),
        # major found and closed this year; funds 20, handed in on time
        "F": HazardFactory(
            **base,
            region=region("430182"),
            unit=u3,
            rectifying_unit=u3,
            level=Hazard.Level.MAJOR,
            found_on=date(2026, 4, 1),
            deadline=date(2026, 4, 30),
            state=S.CLOSED,
            assigned_at=at(date(2026, 4, 2)),
            submitted_at=at(date(2026, 4, 29)),
            verified_at=at(date(2026, 4, 30)),
            closed_at=at(date(2026, 5, 1)),
            funds=Decimal("20.00"),
        ),
        # major found this year, assigned, listed by the city; only goals and a time limit in its plan
        "G": HazardFactory(
            **base,
            region=region("430281"),
            unit=u2,
            rectifying_unit=u2,
            level=Hazard.Level.MAJOR,
            found_on=date(2026, 5, 1),
            deadline=date(2026, 7, 1),
            state=S.ASSIGNED,
            assigned_at=at(date(2026, 5, 2)),
            goals="整改到位",
            listed_level=Hazard.ListedLevel.CITY,
        ),
        # major found this year, assigned, not listed; only a time limit in its plan
        "M": HazardFactory(
            **base,
            region=region("430281"),
            unit=u2,
            rectifying_unit=u2,
            level=Hazard.Level.MAJOR,
            found_on=date(2026, 5, 10),
            deadline=date(2026, 8, 1),
            state=S.ASSIGNED,
            assigned_at=at(date(2026, 5, 11)),
        ),
        # voided: counts nowhere
        "H": HazardFactory(
            **base,
            **plan,
            region=region("430181"),
            unit=u1,
            level=Hazard.Level.MAJOR,
            found_on=date(2026, 3, 1),
            deadline=date(2026, 3, 10),
            state=S.VOID,
            assigned_at=at(date(2026, 3, 1)),
            voided_at=at(date(2026, 3, 5)),
        ),
        # general, found today at a site (no unit)
        "I": HazardFactory(**base, region=region("430281"), site_name="醴陵某路口", found_on=date(2026, 6, 15)),
        # a major of last year closed last year: counts nowhere this year
        "J": HazardFactory(
            **base,
            region=region("430181"),
            unit=u1,
            level=Hazard.Level.MAJOR,
            found_on=date(2025, 6, 1),
            state=S.CLOSED,
            assigned_at=at(date(2025, 6, 2)),
            verified_at=at(date(2025, 11, 30)),
            closed_at=at(date(2025, 12, 1)),
        ),
        # a major of last year, open on 1 January, closed in March: not on this year's plan at its end
        "K": HazardFactory(
            **base,
            region=region("430181"),
            unit=u1,
            level=Hazard.Level.MAJOR,
            found_on=date(2025, 11, 1),
            state=S.CLOSED,
            assigned_at=at(date(2025, 11, 2)),
            verified_at=at(date(2026, 2, 28)),
            closed_at=at(date(2026, 3, 1)),
        ),
        # general in 芙蓉区 (长沙), construction: outside the fireworks department head's portfolio
        "L": HazardFactory(
            found_by=finder,
            industry=industry("construction-housing"),
            region=region("430102"),
            site_name="芙蓉区某工地",
            found_on=date(2026, 5, 20),
        ),
    }
    return hazards


def territorial_city_head():
    """A department head of 长沙市人民政府: the whole city, every industry (a territorial body)."""
    government = OrganizationFactory(name="长沙市人民政府", kind=Organization.Kind.GOVERNMENT, region=region("430100"))
    return UserFactory(username="changsha-gov-head", organization=government, roles=[Role.DEPARTMENT_HEAD])


def linked_hazards(user, url: str):
    """The hazards the ledger lists at `url` for `user`, refusing a parameter the ledger's filters do not know."""
    data = QueryDict(urlsplit(url).query)
    hazard_filter = HazardFilter(data, queryset=Hazard.objects.visible_to(user))
    known = set()
    for name, field in hazard_filter.form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        known |= {f"{name}_{suffix}" for suffix in suffixes} if suffixes else {name}
    assert set(data) <= known, set(data) - known
    assert hazard_filter.form.is_valid(), (url, hazard_filter.form.errors)
    return hazard_filter.qs
