"""A hazard goes from report to close through the API alone, as the three personas would drive it."""

import io

import pytest
from PIL import Image

from hazards.models import Hazard, HazardState
from tests.factories import industry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def _photo(api, stage="before") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "photo.jpg"
    answer = api.post("/api/v1/attachments/", {"file": buffer, "stage": stage}, format="multipart")
    assert answer.status_code == 201, answer.json()
    return answer.json()["token"]


def test_report_assign_start_submit_verify_close_through_the_api(api_for, inspector, head, rectifier):
    as_inspector, as_head, as_rectifier = api_for(inspector), api_for(head), api_for(rectifier)

    created = as_inspector.post(
        "/api/v1/hazards/",
        {
            "title": "成品仓库消防通道堵塞",
            "description": "二号仓库东侧消防通道堆放纸箱。",
            "industry": industry("fireworks-production").pk,
            "level": "general",
            "kind": "thing_state",
            "region": "430181",
            "unit": rectifier.organization.pk,
            "found_on": "2026-06-14",
            "photos": [_photo(as_inspector)],
        },
        format="json",
    )
    assert created.status_code == 201, created.json().get("errors")
    hazard = created.json()
    assert hazard["state"] == "reported" and hazard["number"].startswith("HN-430181-2026-")
    url = f"/api/v1/hazards/{hazard['id']}/"
    assert len(as_inspector.get(f"{url}attachments/").json()) == 1

    # The rectifying unit cannot see a finding not yet assigned to it.
    assert as_rectifier.get(url).status_code == 404

    answer = as_head.post(
        f"{url}actions/assign/",
        {"rectifying_unit": rectifier.organization.pk, "deadline": "2026-07-15", "measures": "清理通道"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "assigned"

    answer = as_rectifier.post(
        f"{url}actions/start/", {"measures": "清理纸箱，划定禁放区", "responsible_person": "陈刚"}, format="json"
    )
    assert answer.status_code == 200, answer.json()

    answer = as_rectifier.post(
        f"{url}actions/submit/",
        {"completion_report": "已清理完毕", "after_photos": [_photo(as_rectifier, "after")]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "submitted"

    answer = as_head.post(
        f"{url}actions/verify/", {"method": "government", "opinion": "现场核查，通道畅通"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    answer = as_head.post(f"{url}actions/close/", {"note": "销号"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == "closed"

    events = as_head.get(f"{url}events/").json()
    assert [event["action"] for event in events] == ["report", "assign", "start", "submit", "verify", "close"]
    assert Hazard.objects.get(pk=hazard["id"]).state == HazardState.CLOSED


def test_a_refused_action_answers_409_with_the_services_reason_in_the_asked_language(api_for, inspector, head):
    from tests.factories import HazardFactory

    hazard = HazardFactory(found_by=inspector)
    answer = api_for(head).post(f"/api/v1/hazards/{hazard.pk}/actions/close/", {"note": ""}, format="json")
    assert answer.status_code == 409
    body = answer.json()
    assert answer["Content-Type"].startswith("application/problem+json")
    assert body["status"] == 409 and body["title"] == "Conflict" and body["detail"]
    assert body["instance"] == f"/api/v1/hazards/{hazard.pk}/actions/close/"

    chinese = api_for(head, language="zh-hans").post(f"/api/v1/hazards/{hazard.pk}/actions/close/", {}, format="json")
    assert chinese.status_code == 409 and chinese["Content-Language"] == "zh-hans"
    assert chinese.json()["detail"] != body["detail"]


def test_invalid_input_answers_400_naming_the_field(api_for, head):
    from tests.factories import HazardFactory

    hazard = HazardFactory()
    answer = api_for(head).post(
        f"/api/v1/hazards/{hazard.pk}/actions/assign/", {"deadline": "not a date"}, format="json"
    )
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert "deadline" in errors and "rectifying_unit" in errors
