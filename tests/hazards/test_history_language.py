"""History stores values, and each reader sees it in their own language (DESIGN.md section 3).

People act in different languages on one hazard; the events keep codes, ids and ISO dates, so a
Chinese reader and an English reader each read one language in the same history.
"""

from datetime import timedelta

import pytest
from django.utils import translation

from hazards import workflow
from hazards.history import timeline
from hazards.models import Hazard, HazardEvent
from tests.factories import industry
from tests.hazards.workflow_helpers import ask_extension, element, move_to, report, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mixed_history(inspector, head, rectifier):
    """An inspector edits in Chinese; a head working in English lists the hazard and grants more time."""
    hazard = report(inspector, unit=rectifier.organization, industry=industry("fireworks-production"))
    with translation.override("zh-hans"):
        workflow.edit_finding(
            actor=inspector,
            hazard_id=hazard.pk,
            changes={"level": Hazard.Level.MAJOR, "industry": industry("fireworks-retail")},
            version=hazard.version,
        )
    with translation.override("en"):
        hazard = move_to(Hazard.objects.get(pk=hazard.pk), "rectifying", head=head, rectifier=rectifier)
        workflow.list_for_supervision(actor=head, hazard_id=hazard.pk, level="county")
        ask_extension(hazard, rectifier, days_later=30)
        workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=True)
    return hazard


def new_deadline(hazard: Hazard):
    return hazard.deadline + timedelta(days=30)


def timeline_text(client, user, hazard: Hazard, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    return text(element(page, 'data-testid="timeline"', "</ol>"))


def test_events_store_codes_ids_and_iso_dates_whatever_the_actors_language(mixed_history):
    changes = {event.action: event.changes for event in mixed_history.events.exclude(changes={})}
    assert changes[HazardEvent.Action.EDIT] == {
        "level": ["general", "major"],
        "industry": [industry("fireworks-production").pk, industry("fireworks-retail").pk],
    }
    assert changes[HazardEvent.Action.LIST] == {"listed_level": ["", "county"]}
    decided = changes[HazardEvent.Action.DECIDE_EXTENSION]
    assert decided["decision"] == ["pending", "approved"]
    assert decided["deadline"] == [mixed_history.deadline.isoformat(), new_deadline(mixed_history).isoformat()]


def test_a_chinese_and_an_english_reader_each_see_one_language(client, head, mixed_history):
    chinese = timeline_text(client, head, mixed_history, "zh-hans")
    english = timeline_text(client, head, mixed_history, "en")

    for word in ("重大隐患", "烟花爆竹零售", "已同意", new_deadline(mixed_history).isoformat()):
        assert word in chinese
    for word in ("Major", "Fireworks retail", "Fireworks production", "Approved", "Listed supervision"):
        assert word not in chinese
    for word in ("Major", "Fireworks retail", "Approved", new_deadline(mixed_history).isoformat()):
        assert word in english
    for word in ("重大隐患", "烟花爆竹", "已同意", "县级"):
        assert word not in english


def test_a_history_written_before_values_were_stored_still_reads(head):
    # Events from before values were stored hold the actor's labels: they are shown as they were written.
    old = HazardEvent(
        action=HazardEvent.Action.EDIT, changes={"level": ["一般隐患", "重大隐患"], "industry": ["甲", "乙"]}
    )
    with translation.override("en"):
        [(_, changes)] = timeline([old])
    assert [(change.label, change.old, change.new) for change in changes] == [
        ("level", "一般隐患", "重大隐患"),
        ("industry", "甲", "乙"),
    ]
