"""The ledger's filters (django-filter), as GET parameters: the list, the export and saved links share them."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Region
from hazards.models import OPEN_WORK_STATES, Hazard, HazardState, Industry
from hunan_safety.forms import BootstrapFormMixin
from inspections.models import Campaign
from notifications.models import Reminder


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


def _top_industries(request):
    return Industry.objects.filter(is_active=True).select_related("parent").order_by("sort_order")


def _cities(request):
    return Region.objects.filter(level=Region.Level.CITY)


def _counties(request):
    return Region.objects.filter(level=Region.Level.COUNTY).select_related("parent")


class IndustryFilterField(forms.ModelChoiceField):
    def label_from_instance(self, industry):
        return f"— {industry.name}" if industry.parent_id else industry.name


class IndustryFilter(django_filters.ModelChoiceFilter):
    field_class = IndustryFilterField


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    industry = IndustryFilter(label=_("Industry"), queryset=_top_industries, method="filter_industry")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Hazard.Level.choices)
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=HazardState.choices, widget=forms.CheckboxSelectMultiple
    )
    city = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("region level", "City"), queryset=_cities, method="filter_city"
    )
    county = django_filters.ModelChoiceFilter(label=_("County"), queryset=_counties, field_name="region")
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
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(unit__name__icontains=value)
            | Q(site_name__icontains=value)
            | Q(rectifying_unit__name__icontains=value)
        )

    def filter_industry(self, queryset, name, industry):
        return queryset.filter(industry_id__in=Industry.with_descendants([industry.pk]))

    def filter_city(self, queryset, name, city):
        return queryset.filter(region__code__startswith=city.scope_prefix)

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = Q(state__in=OPEN_WORK_STATES, deadline__lt=today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_escalated(self, queryset, name, value):
        # Ever escalated up the chain, whatever its deadline since: combine with "overdue" for now.
        escalated = Exists(Reminder.objects.filter(hazard_id=OuterRef("pk"), stage=Reminder.Stage.ESCALATION))
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
        if isinstance(value, list):
            labels = dict(field.choices)
            return "、".join(str(labels.get(item, item)) for item in value)
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            return str(dict(field.choices).get(value, value))
        return str(value)
