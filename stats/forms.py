from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from hunan_safety.forms import BootstrapFormMixin
from inspections.models import Campaign
from stats.periods import Period
from stats.table import BY_INDUSTRY, BY_REGION


class TableForm(BootstrapFormMixin, forms.Form):
    """The table's period (any span of days; by default 1 January to today) and its breakdown."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=_("Rows"),
        required=False,
        choices=[(BY_REGION, _("By region")), (BY_INDUSTRY, _("By industry"))],
    )
    campaign = forms.ModelChoiceField(
        label=_("Coverage of a campaign"),
        required=False,
        queryset=Campaign.objects.order_by("-start_date", "name"),
        empty_label=_("No campaign"),
    )

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start on or before its last day."))
        if start and end and (end - start).days > 366 * 5:
            raise forms.ValidationError(_("Choose a period of at most five years."))
        return cleaned

    def period(self, today: date) -> Period:
        """The chosen period; what is left out defaults to the forms' cumulative year (1 January to today)."""
        default = Period.year_to_date(today)
        if not self.is_bound or not self.is_valid():
            return default
        end = self.cleaned_data.get("end") or today
        start = self.cleaned_data.get("start") or date(end.year, 1, 1)
        return Period(start, end)

    def chosen_campaign(self) -> Campaign | None:
        """The campaign whose coverage of the register (应排查 / 实际排查 / 覆盖率) the table adds, if any."""
        return self.cleaned_data.get("campaign") if self.is_bound and self.is_valid() else None

    def breakdown(self) -> str:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("by"):
            return self.cleaned_data["by"]
        return BY_REGION
