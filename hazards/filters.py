"""The ledger's filters (django-filter), as GET parameters: the list, the export and saved links share them."""

from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry, Region
from hazards.models import OPEN_WORK_STATES, Hazard, HazardState
from hazards.search import search_hazards
from hazards.states import overdue_q
from hunan_safety.forms import BootstrapFormMixin, QuickSelect
from inspections.models import Campaign
from rules.standards import standard_files


class FilterForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)


REFERENCE_CHOICES_SECONDS = 600


def _reference_choices() -> dict[str, Any]:
    """Industries, cities and counties for the filter form, cached per language for ten minutes.

    They are reference data, loaded by migrations and changed, if ever, by an administrator: read
    from the cache, the filter form costs the ledger page no query at all.
    """

    def build() -> dict[str, Any]:
        every_industry = list(Industry.objects.order_by("sort_order", "code"))
        industries = [industry for industry in every_industry if industry.is_active]
        regions = Region.objects.filter(level__in=[Region.Level.CITY, Region.Level.COUNTY]).order_by("code")
        cities = [region for region in regions if region.level == Region.Level.CITY]
        counties = [region for region in regions if region.level == Region.Level.COUNTY]
        return {
            "industry": [
                (str(industry.pk), f"— {industry.name}" if industry.parent_id else industry.name)
                for industry in industries
            ],
            # Each industry with its sub-categories (the taxonomy is two levels deep), for the filter.
            # Retired sub-categories included: their hazards still belong to the parent industry.
            "industry_family": {
                str(industry.pk): [
                    industry.pk,
                    *(child.pk for child in every_industry if child.parent_id == industry.pk),
                ]
                for industry in every_industry
            },
            "city": [(city.code, city.name) for city in cities],
            # From the standards' data files, not the table: the filter form stays free of queries.
            "standard": [(entry["code"], f"{entry['title']}（{entry['number']}）") for entry in standard_files()],
            # Grouped by city: 122 counties are easier to find under their city.
            "county": [
                (city.name, [(county.code, county.name) for county in counties if county.parent_id == city.code])
                for city in cities
            ],
        }

    choices = cache.get_or_set(f"hazards:filter-choices:{get_language()}", build, REFERENCE_CHOICES_SECONDS)
    assert choices is not None  # get_or_set stores and returns what build() made when the key is missing
    return choices


def forget_reference_choices(**kwargs) -> None:
    """Drop the cached choices (connected to saves of industries and regions in HazardsConfig.ready)."""
    cache.delete_many([f"hazards:filter-choices:{code}" for code, _name in settings.LANGUAGES])


def _choices(name: str):
    return lambda: _reference_choices()[name]


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=_choices("industry"), method="filter_industry")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Hazard.Level.choices)
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=HazardState.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    city = django_filters.ChoiceFilter(
        label=pgettext_lazy("region level", "City"), choices=_choices("city"), method="filter_city"
    )
    county = django_filters.ChoiceFilter(label=_("County"), choices=_choices("county"), field_name="region_id")
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.all())
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Hazard.Source.choices)
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", "---------"), ("true", _("Overdue")), ("false", _("Not overdue"))]),
    )
    escalated = django_filters.BooleanFilter(
        label=_("Escalated"),
        method="filter_escalated",
        widget=forms.Select(choices=[("", "---------"), ("true", _("Escalated")), ("false", _("Not escalated"))]),
    )
    due_within = django_filters.NumberFilter(
        label=_("Due within (days)"), method="filter_due_within", min_value=0, max_value=3650
    )
    found = django_filters.DateFromToRangeFilter(
        label=_("Found between"),
        field_name="found_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    deadline = django_filters.DateFromToRangeFilter(
        label=_("Deadline between"),
        field_name="deadline",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    rectifying_unit = django_filters.NumberFilter(label=_("Rectifying unit"), field_name="rectifying_unit_id")
    unit_name = django_filters.CharFilter(
        label=_("Rectifying unit name"), field_name="rectifying_unit__name", lookup_expr="icontains"
    )
    listed_level = django_filters.ChoiceFilter(
        label=_("Listed supervision"),
        choices=[(value, label) for value, label in Hazard.ListedLevel.choices if value],
    )
    # --- Determination standards (rules app): the standard and clause that make a hazard major by law.
    standard = django_filters.ChoiceFilter(
        label=_("Determination standard"),
        choices=_choices("standard"),
        field_name="determination_clause__standard__code",
    )
    clause = django_filters.NumberFilter(label=_("Determination clause"), field_name="determination_clause_id")
    # --- end of determination standards

    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[
            ("number", "number"),
            ("found_on", "found_on"),
            ("deadline", "deadline"),
            ("level", "level"),
            ("state", "state"),
            ("updated_at", "updated"),
        ],
        field_labels={
            "number": _("Ledger number"),
            "found_on": _("Found on"),
            "deadline": _("Deadline"),
            "level": _("Level"),
            "state": _("State"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Hazard
        fields: list[str] = []
        form = FilterForm

    def search(self, queryset, name, value):
        return search_hazards(queryset, value)

    def filter_industry(self, queryset, name, industry_id):
        # The industry and its sub-categories as ids, so that the filter is an index condition.
        family = _reference_choices()["industry_family"].get(industry_id, [int(industry_id)])
        return queryset.filter(industry_id__in=family)

    def filter_city(self, queryset, name, city_code):
        return queryset.filter(region__code__startswith=Region(code=city_code, level=Region.Level.CITY).scope_prefix)

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_escalated(self, queryset, name, value):
        # Ever escalated up the chain, whatever its deadline since: combine with "overdue" for now.
        # Reached through Hazard's reverse relation: notifications sits above hazards and is not imported.
        # (So mypy knows it only as "some model": typed Any, its manager and Stage are looked up at run time.)
        reminder: Any = Hazard._meta.get_field("reminders").related_model
        escalated = Exists(reminder.objects.filter(hazard_id=OuterRef("pk"), stage=reminder.Stage.ESCALATION))
        return queryset.filter(escalated) if value else queryset.exclude(escalated)

    def filter_due_within(self, queryset, name, days):
        today = timezone.localdate()
        return queryset.filter(
            state__in=OPEN_WORK_STATES, deadline__gte=today, deadline__lte=today + timedelta(days=int(days))
        )

    def active_filters(self) -> list[dict]:
        """The filters in use, each with its label, shown value and the query string without it."""
        if not self.is_bound or not self.form.is_valid():
            return []
        active = []
        for name, field in self.form.fields.items():
            if name == "sort":
                continue
            value = self.form.cleaned_data.get(name)
            if value in (None, "", [], ()) or (isinstance(value, slice) and value.start is None and value.stop is None):
                continue
            remaining = self.data.copy()
            for key in list(remaining):
                if key == name or key.startswith(f"{name}_") or key == "page":
                    del remaining[key]
            active.append(
                {"label": field.label, "value": self._shown(name, field, value), "remove": remaining.urlencode()}
            )
        return active

    def _shown(self, name, field, value) -> str:
        if isinstance(value, slice):
            start = value.start.isoformat() if value.start else "…"
            stop = value.stop.isoformat() if value.stop else "…"
            return f"{start} – {stop}"
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if not hasattr(field, "choices") or hasattr(value, "pk"):
            return str(value)
        labels = dict(_flat(field.choices))
        if isinstance(value, list):
            return "、".join(str(labels.get(item, item)) for item in value)
        return str(labels.get(value, value))


def _flat(choices):
    """(value, label) pairs, with the options of grouped choices (counties under their city) flattened."""
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield value, label
