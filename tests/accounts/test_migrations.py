"""The industry taxonomy moved from hazards to accounts: a database upgraded across the move keeps it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Industry, Organization

LAST_BEFORE_THE_MOVE = ("accounts", "0003_organization_webhook_url")


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader, which sees what is applied now


def latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_move(transactional_db):
    """The database as it was before the taxonomy moved; migrated to the latest again whatever the test did."""
    executor = migrate([LAST_BEFORE_THE_MOVE])
    yield executor.loader.project_state([LAST_BEFORE_THE_MOVE]).apps
    migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_database_keeps_its_industries_and_who_supervises_them(before_the_move):
    old_apps = before_the_move
    with pytest.raises(LookupError):
        old_apps.get_model("accounts", "Industry")  # before the move, only hazards knows it
    OldIndustry = old_apps.get_model("hazards", "Industry")
    mines = OldIndustry.objects.create(code="test-mines", name_zh="测试矿山", name_en="Test mines", sort_order=1)
    shafts = OldIndustry.objects.create(code="test-shafts", name_zh="测试竖井", name_en="Shafts", parent=mines)
    Region = old_apps.get_model("accounts", "Region")
    province = Region.objects.create(code="990000", name="测试省", level="province")
    region = Region.objects.create(code="990101", name="测试县", level="county", parent=province)
    bureau = old_apps.get_model("accounts", "Organization").objects.create(
        name="测试县应急管理局", kind="department", region=region
    )
    bureau.industries.add(mines, shafts)
    # As on a database made before the move: the content type (and its permissions) under hazards.
    ContentType.objects.filter(app_label="accounts", model="industry").delete()
    old_type = ContentType.objects.get_or_create(app_label="hazards", model="industry")[0]

    migrate(latest())

    assert Industry._meta.db_table == "hazards_industry"
    assert Industry.objects.get(code="test-shafts").parent.code == "test-mines"
    moved = Organization.objects.get(pk=bureau.pk)
    assert sorted(moved.industries.values_list("code", flat=True)) == ["test-mines", "test-shafts"]
    # Permissions and the admin's history follow the model: its content type now names accounts.
    assert ContentType.objects.get(app_label="accounts", model="industry").pk == old_type.pk
    assert not ContentType.objects.filter(app_label="hazards", model="industry").exists()
