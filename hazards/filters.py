"""The ledger's filters (django-filter), as GET parameters: the list, the export and saved links share them."""

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry, Region
from hazards import indicators
from hazards.listing import PAGE_PARAMETERS
from hazards.models import OPEN_WORK_STATES, Hazard, HazardState
from hazards.search import search_hazards
from hazards.selectors import ever_escalated
from hazards.states import overdue_q
from hunan_safety.filtering import QuickFilterSet
from hunan_safety.forms import BootstrapFormMixin, QuickSelect
from inspections.models import Campaign
from rules.standards import standard_files

REFERENCE_CHOICES_SECONDS = 600
REFERENCE_VERSION_KEY = "hazards:filter-reference-version"
# The filters whose choices are reference data (the taxonomy, the regions): their selects are cached.
REFERENCE_FILTERS = ("industry", "city", "county")


def _reference_version() -> str:
    """The generation of the cached choices and selects: a new one each time industries or regions change."""
    version = cache.get(REFERENCE_VERSION_KEY)
    if version is None:
        cache.add(REFERENCE_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(REFERENCE_VERSION_KEY, "")
    return version


class ReferenceSelect(QuickSelect):
    """A select of reference data rendered once per language, value and attributes, then read from the cache.

    The county select alone holds 122 options in 14 groups; the page shows the same markup to
    everyone who picked the same county, until an administrator changes the regions or the taxonomy.
    """

    def render(self, name, value, attrs=None, renderer=None):
        shape = json.dumps([name, value, sorted({**self.attrs, **(attrs or {})}.items())], default=str)
        digest = hashlib.sha256(shape.encode()).hexdigest()[:32]
        key = f"hazards:filter-select:{_reference_version()}:{get_language()}:{digest}"
        markup = cache.get(key)
        if markup is None:
            markup = str(super().render(name, value, attrs, renderer))
            cache.set(key, markup, REFERENCE_CHOICES_SECONDS)
        return mark_safe(markup)  # rendered above by QuickSelect, which escapes every value and label


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


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

    key = f"hazards:filter-choices:{_reference_version()}:{get_language()}"
    choices = cache.get_or_set(key, build, REFERENCE_CHOICES_SECONDS)
    assert choices is not None  # get_or_set stores and returns what build() made when the key is missing
    return choices


def forget_reference_choices(**kwargs) -> None:
    """A new generation of cached choices and selects (connected to saves of industries and regions in HazardsConfig.ready)."""
    cache.set(REFERENCE_VERSION_KEY, uuid.uuid4().hex, None)


def _choices(name: str):
    return lambda: _reference_choices()[name]


# The widgets of the statistics' indicators (see their block in HazardFilter).
_YES_NO = forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))])
_DAY = forms.DateInput(attrs={"type": "date"})


class HazardFilter(QuickFilterSet):
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
    # --- The statistics' indicators (stats/): each figure of /statistics/ links here with these ---
    # fields, which apply the very conditions the figure counts with (hazards/indicators.py).
    voided = django_filters.BooleanFilter(label=_("Voided"), method="filter_voided", widget=_YES_NO)
    has_unit = django_filters.BooleanFilter(label=_("Found at a unit"), method="filter_has_unit", widget=_YES_NO)
    rectified_by = django_filters.DateFilter(label=_("Rectified by"), method="filter_rectified_by", widget=_DAY)
    closed_by = django_filters.DateFilter(label=_("Closed by"), method="filter_closed_by", widget=_DAY)
    open_on = django_filters.DateFilter(label=_("Open on"), method="filter_open_on", widget=_DAY)
    planned_by = django_filters.DateFilter(label=_("On a plan by"), method="filter_planned_by", widget=_DAY)
    plan = django_filters.MultipleChoiceFilter(
        label=_("Plan includes"),
        choices=[
            ("goals", _("Goals and tasks")),
            ("funds", _("Funds and materials")),
            ("people", _("Body and people")),
            ("time", _("Time limit")),
            ("contingency", _("Safety measures and contingency plan")),
        ],
        method="filter_plan",
        widget=forms.CheckboxSelectMultiple,
    )
    is_listed = django_filters.BooleanFilter(label=_("Listed at any level"), method="filter_listed", widget=_YES_NO)
    has_funds = django_filters.BooleanFilter(label=_("Funds recorded"), method="filter_has_funds", widget=_YES_NO)
    due_by = django_filters.DateFilter(label=_("Due by"), method="filter_due_by", widget=_DAY)
    on_time = django_filters.BooleanFilter(label=_("Handed in on time"), method="filter_on_time", widget=_YES_NO)
    self_found = django_filters.BooleanFilter(
        label=_("Found by the enterprise itself"), method="filter_self_found", widget=_YES_NO
    )
    closed_on = django_filters.DateFromToRangeFilter(
        label=_("Closed between"),
        field_name="closed_at",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    # --- end of the statistics' indicators ---
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

    @classmethod
    def prepare_form_class(cls, form_class: type) -> None:
        # Once per process (QuickFilterSet): selects that render fast, the reference ones from the cache.
        for name, field in form_class.base_fields.items():  # type: ignore[attr-defined]
            if type(field.widget) is forms.Select:
                select = ReferenceSelect if name in REFERENCE_FILTERS else QuickSelect
                field.widget = select(attrs=field.widget.attrs, choices=field.widget.choices)

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
        escalated = ever_escalated()
        return queryset.filter(escalated) if value else queryset.exclude(escalated)

    def filter_due_within(self, queryset, name, days):
        today = timezone.localdate()
        return queryset.filter(
            state__in=OPEN_WORK_STATES, deadline__gte=today, deadline__lte=today + timedelta(days=int(days))
        )

    # --- The statistics' indicators (see the fields above) ---
    @staticmethod
    def _either(queryset, rule, value):
        return queryset.filter(rule) if value else queryset.exclude(rule)

    def filter_voided(self, queryset, name, value):
        return self._either(queryset, ~indicators.counted(), value)

    def filter_has_unit(self, queryset, name, value):
        return self._either(queryset, Q(unit__isnull=False), value)

    def filter_rectified_by(self, queryset, name, day):
        return queryset.filter(indicators.rectified_by(day))

    def filter_closed_by(self, queryset, name, day):
        return queryset.filter(indicators.closed_by(day))

    def filter_open_on(self, queryset, name, day):
        return queryset.filter(indicators.open_on(day))

    def filter_planned_by(self, queryset, name, day):
        return queryset.filter(indicators.planned_by(day))

    def filter_plan(self, queryset, name, parts):
        return queryset.filter(indicators.plan_has(parts)) if parts else queryset

    def filter_listed(self, queryset, name, value):
        return self._either(queryset, indicators.listed(), value)

    def filter_self_found(self, queryset, name, value):
        return self._either(queryset, Q(source=Hazard.Source.SELF_CHECK), value)

    def filter_has_funds(self, queryset, name, value):
        return self._either(queryset, Q(funds__isnull=False), value)

    def filter_due_by(self, queryset, name, day):
        return queryset.filter(indicators.due_by(day))

    def filter_on_time(self, queryset, name, value):
        return self._either(queryset, indicators.on_time(), value)

    # --- end of the statistics' indicators ---

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


FORM_SECONDS = REFERENCE_CHOICES_SECONDS


def form_markup(params: QueryDict, render: Callable[[], str]) -> str:
    """The ledger's filter form as markup, rendered once per language and query, then from the cache.

    The form shows only what the query string holds (values, errors) and reference data (industries,
    regions, campaigns: a new generation when they change), so the same query gets the same markup.
    Rendered through Django's widget templates, its twenty-odd fields cost a page some 30 ms.
    """
    shown = sorted((name, value) for name, values in params.lists() if name not in PAGE_PARAMETERS for value in values)
    digest = hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:32]
    key = f"hazards:filter-form:{_reference_version()}:{get_language()}:{digest}"
    markup = cache.get(key)
    if markup is None:
        markup = render()
        cache.set(key, markup, FORM_SECONDS)
    return mark_safe(markup)  # a template's output, escaped as it was rendered
