"""Bulk actions on the ledger (hazards/bulk.py): a head ticks hazards and assigns or closes them at once.

Each hazard goes through the workflow service with its own checks; one refusal and nothing changes,
with every refusal listed; the result is summarised on the ledger the head came from.
"""

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from hazards import bulk
from hazards.models import HazardEvent, HazardState
from hazards.transitions import HazardError, HazardNotFound
from tests.factories import EnterpriseFactory, HazardFactory, region
from tests.hazards.workflow_helpers import in_days, move_to, report, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def works(rectifier):
    # The rectifier's own works: a hazard at an enterprise is rectified by that enterprise.
    return rectifier.organization


@pytest.fixture
def findings(inspector, works):
    """Three findings at the same fireworks works in 浏阳市, reported by the inspector."""
    return [report(inspector, unit=works, site_name="", title=f"工房{n}号药物超量") for n in range(3)]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_head_assigns_several_findings_of_one_unit_with_one_deadline(client, head, findings, works):
    client.force_login(head)
    response = client.post(
        "/hazards/bulk/assign/",
        {
            "hazard": [f.pk for f in findings],
            "deadline": in_days(20).isoformat(),
            "measures": "立即清理超量药物。",
            "list_query": "level=general",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/hazards/?level=general"
    for finding in findings:
        finding.refresh_from_db()
        assert (finding.state, finding.rectifying_unit, finding.deadline) == (HazardState.ASSIGNED, works, in_days(20))
        assert finding.measures == "立即清理超量药物。"
        assert finding.events.filter(action=HazardEvent.Action.ASSIGN, actor=head).count() == 1
    client.cookies["django_language"] = "en"
    (summary,) = messages_of(client.get(response["Location"])) or messages_of(response)
    assert summary.startswith("Assigned 3 hazards:") or summary.startswith("已交办 3 项隐患")


def test_one_refused_hazard_and_nothing_changes(client, head, inspector, findings, works, rectifier):
    already = move_to(report(inspector, unit=works, site_name=""), HazardState.ASSIGNED, head=head, rectifier=rectifier)
    chosen = [*findings, already]
    before = [snapshot(hazard) for hazard in chosen]
    client.force_login(head)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/hazards/bulk/assign/", {"hazard": [h.pk for h in chosen], "deadline": in_days(20).isoformat()}, follow=True
    )
    assert [snapshot(hazard) for hazard in chosen] == before
    said = messages_of(response)
    assert said[0] == "Nothing was changed: 1 of the hazards chosen cannot be handled so."
    assert said[1].startswith(f"{already.number}: ")


def test_the_deadline_rule_is_said_and_nothing_changes(client, head, findings):
    before = [snapshot(hazard) for hazard in findings]
    client.force_login(head)
    client.cookies["django_language"] = "en"
    response = client.post("/hazards/bulk/assign/", {"hazard": [f.pk for f in findings], "deadline": ""}, follow=True)
    assert [snapshot(hazard) for hazard in findings] == before
    said = messages_of(response)
    assert said[0].startswith("Nothing was changed: 3 of the hazards")
    assert all(line.endswith("The deadline must be today or later.") for line in said[1:]) and len(said) == 4


def test_findings_of_different_units_are_not_assigned_together(head, inspector, findings):
    elsewhere = report(inspector, unit=EnterpriseFactory(name="另一家花炮厂", region=region("430181")), site_name="")
    chosen = [*findings, elsewhere]
    before = [snapshot(hazard) for hazard in chosen]
    with translation.override("en"), pytest.raises(HazardError, match="same unit"):
        bulk.assign_several(actor=head, hazard_ids=[h.pk for h in chosen], deadline=in_days(10))
    assert [snapshot(hazard) for hazard in chosen] == before


def test_a_head_closes_several_accepted_hazards_or_none(client, head, rectifier, findings):
    accepted = [move_to(finding, HazardState.VERIFIED, head=head, rectifier=rectifier) for finding in findings[:2]]
    still_rectifying = move_to(findings[2], HazardState.RECTIFYING, head=head, rectifier=rectifier)
    client.force_login(head)
    before = [snapshot(hazard) for hazard in [*accepted, still_rectifying]]
    client.post("/hazards/bulk/close/", {"hazard": [h.pk for h in [*accepted, still_rectifying]], "note": "复核销号。"})
    assert [snapshot(hazard) for hazard in [*accepted, still_rectifying]] == before

    client.post("/hazards/bulk/close/", {"hazard": [h.pk for h in accepted], "note": "复核销号。"})
    for hazard in accepted:
        hazard.refresh_from_db()
        assert hazard.state == HazardState.CLOSED
        assert hazard.events.get(action=HazardEvent.Action.CLOSE).reason == "复核销号。"


def test_a_hazard_out_of_scope_makes_the_batch_a_404_and_changes_nothing(client, head, findings):
    outside = HazardFactory(region=region("430281"), title="醴陵花炮厂药物超量")  # 株洲市: not the head's
    chosen = [*findings, outside]
    before = [snapshot(hazard) for hazard in chosen]
    client.force_login(head)
    response = client.post(
        "/hazards/bulk/assign/", {"hazard": [h.pk for h in chosen], "deadline": in_days(5).isoformat()}
    )
    assert response.status_code == 404
    assert [snapshot(hazard) for hazard in chosen] == before
    with pytest.raises(HazardNotFound):
        bulk.close_several(actor=head, hazard_ids=[outside.pk])


@pytest.mark.parametrize("persona", ["inspector", "rectifier", "province"])
def test_only_heads_see_and_use_the_bulk_actions(client, request, persona, findings):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get("/hazards/").content.decode()
    assert 'data-testid="bulk-actions"' not in page and 'name="hazard"' not in page
    before = [snapshot(hazard) for hazard in findings]
    response = client.post(
        "/hazards/bulk/assign/", {"hazard": [f.pk for f in findings], "deadline": in_days(5).isoformat()}
    )
    assert response.status_code == 404
    assert [snapshot(hazard) for hazard in findings] == before


def test_the_head_ticks_rows_on_the_ledger(client, head, findings):
    client.force_login(head)
    page = client.get("/hazards/").content.decode()
    assert 'data-testid="bulk-actions"' in page
    for finding in findings:
        assert f'name="hazard" value="{finding.pk}" form="bulk-form"' in page
