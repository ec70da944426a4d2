"""Fixtures of the Excel ledger's tests: a scene of hazards to export, media in a temporary folder."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hazards.models import Hazard
from hunan_safety.celery import app as celery_app
from tests.factories import EnterpriseFactory, HazardFactory, UserFactory, industry, region
from tests.ledger.scene import CHAIN, INJECTIONS


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def unit(db):
    """The registered unit the import tests' ledgers name."""
    return EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181"))


@pytest.fixture
def owner(db):
    return EnterpriseFactory(name="浏阳花炮集团有限公司", region=region("430181"))


@pytest.fixture
def recorder(db):
    return UserFactory(username="recorder")


@pytest.fixture
def scene(recorder, head):
    """Hazards in two cities, several industries and states; one carries text that looks like formulas."""
    today = timezone.localdate()
    units = {
        "liuyang": EnterpriseFactory(name="浏阳花炮制造有限公司", region=region("430181")),
        "furong": EnterpriseFactory(name="芙蓉化工仓储有限公司", region=region("430102")),
        "liling": EnterpriseFactory(name="醴陵花炮有限公司", region=region("430281")),
    }

    def hazard(*, days_ago: int, deadline_in: int | None = None, **fields) -> Hazard:
        deadline = today + timedelta(days=deadline_in) if deadline_in is not None else None
        return HazardFactory(found_by=recorder, found_on=today - timedelta(days=days_ago), deadline=deadline, **fields)

    hazards = {
        "overdue": hazard(
            title="药物存量超标",
            days_ago=30,
            deadline_in=-2,
            state=Hazard.State.ASSIGNED,
            unit=units["liuyang"],
            site_name="",
            rectifying_unit=units["liuyang"],
            measures="清理超量药物",
            funds=Decimal("1.50"),
            responsible_person="李厂长",
            responsibility_chain=CHAIN,
            extension_count=1,
        ),
        "major": hazard(
            title="储罐区防火堤破损",
            days_ago=20,
            deadline_in=3,
            region=region("430102"),
            industry=industry("hazchem-storage"),
            level=Hazard.Level.MAJOR,
            listed_level=Hazard.ListedLevel.CITY,
            state=Hazard.State.RECTIFYING,
            unit=units["furong"],
            site_name="",
            rectifying_unit=units["furong"],
        ),
        "closed": hazard(
            title="脚手架未设连墙件",
            days_ago=60,
            deadline_in=-30,
            industry=industry("construction-housing"),
            state=Hazard.State.CLOSED,
            site_name="浏阳某工地",
            verified_by=head,
            verified_at=timezone.now() - timedelta(days=3),
            closed_at=timezone.now() - timedelta(days=1),
        ),
        "liling": hazard(
            title="生产线防护屏缺失",
            days_ago=40,
            deadline_in=20,
            region=region("430281"),
            state=Hazard.State.RECTIFYING,
            unit=units["liling"],
            site_name="",
            rectifying_unit=units["liling"],
        ),
        "formulas": hazard(days_ago=5, **INJECTIONS),
    }
    return SimpleNamespace(today=today, units=units, hazards=hazards)


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def async_threshold(settings):
    settings.LEDGER_EXPORT_ASYNC_THRESHOLD = 1
