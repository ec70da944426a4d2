"""The register's filters, as GET parameters (django-filter): a filtered register is a link to keep."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Industry, Organization, Region
from hunan_safety.forms import BootstrapFormMixin
from inspections.coverage import not_inspected_since
from inspections.filters import CountyFilter, IndustryFilter
from ledger.models import ImportedUnit

NOT_INSPECTED_DAYS = 365


class UnitFilterForm(BootstrapFormMixin, forms.Form):
    pass


class UnitFilter(django_filters.FilterSet):
    """Narrows the register the user may see (`register_for`); it never widens it."""

    q = django_filters.CharFilter(label=_("Name or credit code"), method="filter_text")
    county = CountyFilter(
        label=_("County"),
        queryset=Region.objects.filter(level=Region.Level.COUNTY).select_related("parent").order_by("code"),
        method="filter_county",
        empty_label=_("All counties"),
    )
    industry = IndustryFilter(
        label=_("Industry"),
        queryset=Industry.objects.filter(is_active=True).order_by("sort_order", "code"),
        method="filter_industry",
        empty_label=_("All industries"),
    )
    risk_class = django_filters.ChoiceFilter(
        label=_("Risk class"), choices=Organization.RiskClass.choices, empty_label=_("All risk classes")
    )
    status = django_filters.ChoiceFilter(
        label=pgettext_lazy("unit", "Status"), choices=Organization.Status.choices, empty_label=_("Any status")
    )
    to_complete = django_filters.BooleanFilter(
        label=_("Added by import, to be completed"), method="filter_to_complete", widget=forms.CheckboxInput
    )
    not_inspected = django_filters.BooleanFilter(
        label=_("Not inspected in the last 12 months"),
        method="filter_not_inspected",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Organization
        fields = ["q", "county", "industry", "risk_class", "status", "not_inspected", "to_complete"]
        form = UnitFilterForm

    def filter_text(self, units: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return units.filter(Q(name__icontains=value) | Q(credit_code=value.upper())) if value else units

    def filter_county(self, units: QuerySet, name: str, county: Region | None) -> QuerySet:
        return units.filter(region__code__startswith=county.scope_prefix) if county else units

    def filter_industry(self, units: QuerySet, name: str, industry: Industry | None) -> QuerySet:
        if not industry:
            return units
        links = Organization.industries.through.objects.filter(industry_id__in=Industry.with_descendants([industry.pk]))
        return units.filter(pk__in=links.values("organization_id"))

    def filter_to_complete(self, units: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return units
        return units.filter(Exists(ImportedUnit.objects.filter(unit_id=OuterRef("pk"))))

    def filter_not_inspected(self, units: QuerySet, name: str, value: bool | None) -> QuerySet:
        if not value:
            return units
        return not_inspected_since(units, timezone.localdate() - timedelta(days=NOT_INSPECTED_DAYS))
