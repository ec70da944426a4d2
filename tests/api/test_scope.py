"""The API sees exactly what the pages see: out of scope is a 404, lists hold only what the user may see."""

import pytest
from rest_framework.test import APIClient

from tests.factories import EnterpriseFactory, HazardFactory, industry, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def scene(inspector, rectifier):
    """A fireworks hazard in 浏阳市 assigned to the rectifier's unit, and one in 醴陵市 (株洲市)."""
    liuyang = HazardFactory(
        region=region("430181"),
        industry=industry("fireworks-production"),
        unit=rectifier.organization,
        rectifying_unit=rectifier.organization,
        state="assigned",
        deadline="2026-07-01",
        found_by=inspector,
    )
    elsewhere = EnterpriseFactory(region=region("430281"))
    liling = HazardFactory(region=region("430281"), industry=industry("fireworks-production"), unit=elsewhere)
    return {"liuyang": liuyang, "liling": liling}


SCOPE = [
    ("inspector", {"liuyang"}),
    ("head", {"liuyang"}),
    ("rectifier", {"liuyang"}),
    ("province", {"liuyang", "liling"}),
]


@pytest.mark.parametrize(("name", "sees"), SCOPE)
def test_each_role_reads_only_its_scope(api_for, scene, request, name, sees):
    api = api_for(request.getfixturevalue(name))
    listed = {row["id"] for row in api.get("/api/v1/hazards/").json()["results"]}
    assert listed == {scene[key].pk for key in sees}
    for key, hazard in scene.items():
        for suffix in ("", "events/", "attachments/"):
            answer = api.get(f"/api/v1/hazards/{hazard.pk}/{suffix}")
            assert answer.status_code == (200 if key in sees else 404), (name, key, suffix)
        if key not in sees:
            acted = api.post(f"/api/v1/hazards/{hazard.pk}/actions/void/", {"reason": "x"}, format="json")
            assert acted.status_code == 404
            assert acted.json()["status"] == 404


def test_without_a_token_nothing_is_served(scene):
    answer = APIClient().get("/api/v1/hazards/")
    assert answer.status_code in (401, 403)
    assert answer["Content-Type"].startswith("application/problem+json")


def test_a_revoked_token_stops_working_at_once(inspector, scene):
    from api.tokens import create_token, revoke_token

    row, token = create_token(user=inspector, name="一张图平台")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/me/").status_code == 200
    revoke_token(user=inspector, token_id=row.pk)
    assert client.get("/api/v1/me/").status_code == 401


def test_filters_are_the_ledger_filters(api_for, province, scene):
    api = api_for(province)
    rows = api.get("/api/v1/hazards/", {"county": "430281"}).json()["results"]
    assert [row["id"] for row in rows] == [scene["liling"].pk]
    rows = api.get("/api/v1/hazards/", {"state": "assigned"}).json()["results"]
    assert [row["id"] for row in rows] == [scene["liuyang"].pk]
