"""Recording an inspection visit and its findings in one form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.scope import counties_for, industries_for, units_for
from hazards.forms import UNIT_SEARCH_HELP, FindingFields, IndustryChoiceField, RegionChoiceField, UnitWidget
from hunan_safety.forms import BootstrapFormMixin, model_choice
from inspections.models import Campaign, Inspection


class InspectionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["inspected_on", "region", "unit", "site_name", "industry", "campaign", "inspectors", "notes"]
        widgets = {
            "inspected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "unit": UnitWidget,
            "inspectors": forms.SelectMultiple(attrs={"size": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"industry": IndustryChoiceField, "region": RegionChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        model_choice(self, "region").queryset = counties_for(user).select_related("parent")
        model_choice(self, "unit").queryset = units_for(user)
        self.fields["unit"].help_text = UNIT_SEARCH_HELP
        model_choice(self, "industry").queryset = industries_for(user)
        model_choice(self, "campaign").queryset = Campaign.objects.filter(is_active=True)
        team = User.objects.filter(is_active=True, groups__name__in=[Role.INSPECTOR, Role.DEPARTMENT_HEAD])
        if user.organization_id:
            team = team.filter(organization_id=user.organization_id)
        model_choice(self, "inspectors").queryset = team.distinct().order_by("last_name", "first_name")
        self.fields["inspectors"].required = False
        self.fields["inspectors"].help_text = _("Others of your body who were there; you are on the team anyway.")
        if not self.is_bound:
            self.fields["inspected_on"].initial = timezone.localdate()
            if user.jurisdiction and user.jurisdiction.level == "county":
                self.fields["region"].initial = user.jurisdiction.pk
            self._plan_for(kwargs.get("initial") or {})

    def _plan_for(self, planned: dict) -> None:
        """An inspection planned from a blind spot (?unit=…&campaign=…): its unit, county and campaign."""
        unit_id = planned.get("unit")
        unit = units_for(self.user).filter(pk=unit_id).first() if unit_id else None
        if unit is not None:
            self.fields["region"].initial = unit.region_id

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        if not cleaned.get("unit") and not cleaned.get("site_name"):
            self.add_error("site_name", _("Name the unit, or describe the site when it is not a registered unit."))
        inspected_on = cleaned.get("inspected_on")
        if inspected_on and inspected_on > timezone.localdate():
            self.add_error("inspected_on", _("The inspection date cannot be in the future."))
        return cleaned


class InspectionFindingForm(FindingFields):
    """A finding inside an inspection: it takes the visit's place and date, and by default its industry."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["industry"].required = False
        self.fields["industry"].help_text = _("Leave empty for the inspection's industry.")


class BaseFindingFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("Record at least one finding."))


FindingFormSet = forms.formset_factory(
    InspectionFindingForm, formset=BaseFindingFormSet, extra=1, max_num=30, validate_max=True
)
