"""Recording an inspection visit and its findings in one form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.scope import counties_for, industries_for, units_for
from hazards.forms import UNIT_SEARCH_HELP, FindingFields, IndustryChoiceField, RegionChoiceField, UnitWidget
from hunan_safety.forms import BootstrapFormMixin, model_choice
from inspections.models import Campaign, ChecklistAnswer, Inspection
from rules.models import Checklist, ChecklistItem


class InspectionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Inspection
        fields = [
            "inspected_on",
            "region",
            "unit",
            "site_name",
            "industry",
            "campaign",
            "checklist",
            "inspectors",
            "notes",
        ]
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
        model_choice(self, "campaign").queryset = Campaign.objects.recordable().order_by("-end_date", "name")
        model_choice(self, "checklist").queryset = Checklist.objects.filter(is_active=True).select_related("industry")
        self.fields["checklist"].help_text = _(
            "Follow a checklist: you answer its items next, and each non-compliant item becomes a finding."
        )
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
    follows_checklist = False

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # A visit that follows a checklist may have no free-form finding: its findings come from the answers.
        if not self.follows_checklist and not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("Record at least one finding."))


FindingFormSet = forms.formset_factory(
    InspectionFindingForm, formset=BaseFindingFormSet, extra=1, max_num=30, validate_max=True
)


class ChecklistAnswersForm(forms.Form):
    """One answer (符合 / 不符合 / 不涉及) and a note per item of the checklist an inspection follows."""

    def __init__(self, *args, items: list[ChecklistItem], answers: dict[int, ChecklistAnswer], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for item in items:
            given = answers.get(item.pk)
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=ChecklistAnswer.Answer.choices,
                required=False,
                # Buttons big enough for a thumb on a phone (Bootstrap's toggle buttons).
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                initial=given.answer if given else None,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=300,
                initial=given.note if given else "",
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.rows.append((item, self[f"answer_{item.pk}"], self[f"note_{item.pk}"]))

    def answers(self) -> dict[int, tuple[str, str]]:
        """The items answered, as the workflow takes them."""
        return {
            item.pk: (self.cleaned_data[f"answer_{item.pk}"], self.cleaned_data[f"note_{item.pk}"].strip())
            for item, _answer, _note in self.rows
            if self.cleaned_data[f"answer_{item.pk}"]
        }
