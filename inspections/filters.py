"""The filters of the inspection list, as GET parameters (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.fields import ModelChoiceField

from accounts.models import Industry, Region
from hunan_safety.forms import BootstrapFormMixin
from inspections.models import Campaign, Inspection


class InspectionFilterForm(BootstrapFormMixin, forms.Form):
    pass


class IndustryField(ModelChoiceField):
    def label_from_instance(self, industry: Industry) -> str:
        # The taxonomy's order puts each sub-category right after its parent: indent it.
        return f"— {industry}" if industry.parent_id else str(industry)


class CountyField(ModelChoiceField):
    def label_from_instance(self, county: Region) -> str:
        # Ordered by code, the counties of a city follow each other: name the city too.
        assert county.parent is not None  # a county always has its city
        return f"{county.parent.name} · {county.name}"


class IndustryFilter(django_filters.ModelChoiceFilter):
    field_class = IndustryField


class CountyFilter(django_filters.ModelChoiceFilter):
    field_class = CountyField


class InspectionFilter(django_filters.FilterSet):
    """Narrows a queryset that is already scoped to the user; it never widens it."""

    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("-is_active", "-start_date", "name"),
        empty_label=_("All campaigns"),
    )
    industry = IndustryFilter(
        label=_("Industry"),
        queryset=Industry.objects.filter(is_active=True).order_by("sort_order", "code"),
        method="filter_industry",
        empty_label=_("All industries"),
    )
    # The same parameters as the hazard ledger's filters, so that links between the two agree.
    city = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("region level", "City"),
        queryset=Region.objects.filter(level=Region.Level.CITY).order_by("code"),
        method="filter_region",
        empty_label=_("Whole province"),
    )
    county = CountyFilter(
        label=_("County"),
        queryset=Region.objects.filter(level=Region.Level.COUNTY).select_related("parent").order_by("code"),
        method="filter_region",
        empty_label=_("All counties"),
    )
    inspected_after = django_filters.DateFilter(
        label=_("Inspected from"),
        field_name="inspected_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    inspected_before = django_filters.DateFilter(
        label=_("Inspected until"),
        field_name="inspected_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = django_filters.CharFilter(
        label=_("Unit or site"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name of the unit or site")}),
    )

    class Meta:
        model = Inspection
        fields: list[str] = []
        form = InspectionFilterForm

    def filter_industry(self, queryset: QuerySet, name: str, industry: Industry) -> QuerySet:
        return queryset.filter(industry_id__in=Industry.with_descendants([industry.pk]))

    def filter_region(self, queryset: QuerySet, name: str, region: Region) -> QuerySet:
        # A code prefix, as the visibility rule does: a city takes in its counties.
        return queryset.filter(region__code__startswith=region.scope_prefix)

    def filter_text(self, queryset: QuerySet, name: str, text: str) -> QuerySet:
        text = text.strip()
        if not text:
            return queryset
        return queryset.filter(Q(unit__name__icontains=text) | Q(site_name__icontains=text))

    def active_filters(self) -> list[dict]:
        """The filters in use: label, value, and the query string that drops just that filter."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        active = []
        for name, value in getattr(self.form, "cleaned_data", {}).items():
            if value in (None, "") or (isinstance(value, str) and not value.strip()):
                continue
            params = self.data.copy()
            params.pop(name, None)
            params.pop("page", None)
            active.append({"label": self.form[name].label, "value": value, "remove": params.urlencode()})
        return active
