"""A hazard's history as its reader sees it.

Events store values — codes, ids, ISO dates (`HazardEvent.changes`) — so that one history never
mixes the languages of the people who acted; this module renders them in the reader's language.
Events written before values were stored hold display labels: those are shown as they were written.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from hazards.models import ExtensionRequest, Hazard, HazardEvent


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


# Values an event records that are not fields of the hazard itself.
EXTRA_FIELDS: dict[str, models.Field] = {"decision": ExtensionRequest._meta.get_field("decision")}


def _field(name: str) -> models.Field | None:
    if name in EXTRA_FIELDS:
        return EXTRA_FIELDS[name]
    try:
        field = Hazard._meta.get_field(name)
    except Exception:  # noqa: BLE001 - an old event may name a field that no longer exists
        return None
    # A reverse relation (the attachments) is not a column of the hazard: its values are shown as written.
    return field if isinstance(field, models.Field) else None


def _related_model(field: models.Field) -> type[models.Model]:
    # Relations are resolved to classes once the app registry is ready: never "self" or None here.
    model = field.related_model
    assert isinstance(model, type)
    return model


def field_label(name: str) -> str:
    """The label of a field named in an event, in the reader's language."""
    if name == "attachments":
        return _("Photos and documents")
    field = _field(name)
    return str(field.verbose_name) if field is not None else name


class _Names:
    """The names of the rows an event's changes refer to by id, fetched once per model for a whole history."""

    def __init__(self, changes: Iterable[dict[str, Any]]) -> None:
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        for change in changes:
            for name, values in change.items():
                field = _field(name)
                if field is not None and field.is_relation:
                    wanted[_related_model(field)].update(value for value in values if isinstance(value, int))
        self.rows = {model: model._default_manager.in_bulk(ids) for model, ids in wanted.items()}

    def render(self, name: str, value: object) -> str:
        if value in (None, ""):
            return ""
        field = _field(name)
        if field is None:
            return str(value)
        if field.is_relation:
            if isinstance(value, int):
                row = self.rows.get(_related_model(field), {}).get(value)
                return str(row) if row is not None else f"#{value}"
            return str(value)  # a label written before values were stored
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return str(value)  # text, or a date as an ISO date (the way the page writes every date)


def timeline(events: Iterable[HazardEvent]) -> list[tuple[HazardEvent, list[Change]]]:
    """Each event with its changes rendered for the reader (one query per referenced model, not per row)."""
    events = list(events)
    names = _Names(event.changes for event in events if event.changes)
    return [
        (
            event,
            [
                Change(name, field_label(name), names.render(name, values[0]), names.render(name, values[1]))
                for name, values in (event.changes or {}).items()
            ],
        )
        for event in events
    ]
