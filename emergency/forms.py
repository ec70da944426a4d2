"""Forms of the emergency pages: each keeps what was typed and says the rule when it refuses."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.scope import counties_for, industries_for, sees_everything, units_for
from emergency.duty import DUTY_BODY_KINDS
from emergency.models import Drill, DutyShift, EmergencyPlan, QuickReport
from emergency.visibility import duty_region, in_duty_scope
from hazards.models import Hazard
from hunan_safety.forms import BootstrapFormMixin, model_choice

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_LOCAL, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def duty_bodies_for(user) -> QuerySet[Organization]:
    bodies = Organization.objects.filter(kind__in=DUTY_BODY_KINDS, is_active=True).select_related("region")
    return in_duty_scope(bodies, user, code_field="region__code")


class QuickReportForm(BootstrapFormMixin, forms.ModelForm):
    """A first report (快报): what a duty officer can say within the hour, refined by follow-ups."""

    class Meta:
        model = QuickReport
        fields = [
            "category",
            "occurred_at",
            "region",
            "unit",
            "place",
            "summary",
            "deaths",
            "injuries",
            "missing",
            "measures",
        ]
        widgets = {
            "occurred_at": DateTimeLocalInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "place": _("Township, village, road or site: where a rescuer must go."),
            "measures": _("Rescue under way, area cordoned off, people evacuated, forces sent…"),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "region").queryset = counties_for(user)
        model_choice(self, "unit").queryset = units_for(user)
        model_choice(self, "unit").required = False
        occurred_at = self.fields["occurred_at"]
        assert isinstance(occurred_at, forms.DateTimeField)
        occurred_at.input_formats = [DATETIME_LOCAL]
        if not self.is_bound and not self.initial.get("occurred_at"):
            self.initial["occurred_at"] = timezone.localtime().strftime(DATETIME_LOCAL)
        if not self.is_bound and user.jurisdiction is not None and user.jurisdiction.level == "county":
            self.initial.setdefault("region", user.jurisdiction.pk)

    def clean(self):
        cleaned = super().clean() or {}
        unit, region = cleaned.get("unit"), cleaned.get("region")
        if unit is not None and region is not None and unit.region_id != region.pk:
            self.add_error(
                "unit",
                _("The unit is registered in %(county)s, not in the county chosen.") % {"county": unit.region.name},
            )
        return cleaned


class FollowUpForm(BootstrapFormMixin, forms.ModelForm):
    final = forms.BooleanField(
        label=_("This is the final report (终报): the event is over"),
        required=False,
        help_text=_("A final report closes the chain; later news needs a new report."),
    )

    class Meta:
        model = QuickReport
        fields = ["place", "summary", "deaths", "injuries", "missing", "measures"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "measures": forms.Textarea(attrs={"rows": 2})}
        labels = {"summary": _("What is new"), "measures": _("Measures since the last report")}


class LinkHazardsForm(forms.Form):
    hazards = forms.ModelMultipleChoiceField(
        queryset=Hazard.objects.none(),
        label=_("Hazards found at the unit before"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, report: QuickReport, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        rows = Hazard.objects.visible_to(user).filter(unit_id=report.unit_id).order_by("-found_on", "-id")
        model_choice(self, "hazards").queryset = rows[:50] if not self.is_bound else rows


class DutyShiftForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DutyShift
        fields = ["organization", "duty_date", "kind", "leading_cadre", "officers", "phone", "note"]
        widgets = {"duty_date": DateInput(), "officers": forms.SelectMultiple(attrs={"size": 5})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = duty_bodies_for(user)
        model_choice(self, "organization").queryset = bodies
        people = User.objects.filter(is_active=True, organization__in=bodies).order_by("last_name", "first_name")
        model_choice(self, "leading_cadre").queryset = people
        self.fields["officers"].queryset = people  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean() or {}
        body, day, kind = cleaned.get("organization"), cleaned.get("duty_date"), cleaned.get("kind")
        for field in ("leading_cadre",):
            person = cleaned.get(field)
            if person is not None and body is not None and person.organization_id != body.pk:
                self.add_error(field, _("The leading cadre on duty must belong to %(body)s.") % {"body": body.name})
        if body is not None and day is not None and kind:
            if (
                DutyShift.objects.filter(organization=body, duty_date=day, kind=kind)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error(
                    "duty_date",
                    _("%(body)s already has this shift on that day: change it instead.") % {"body": body.name},
                )
            self.instance.starts_at, self.instance.ends_at = DutyShift.span(day, kind)
        if not cleaned.get("officers"):
            self.add_error("officers", _("A shift needs at least one duty officer to answer the phone."))
        return cleaned


class HandoverForm(BootstrapFormMixin, forms.Form):
    happened = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    pending = forms.CharField(
        label=_("What is pending for the next shift"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RosterImportForm(BootstrapFormMixin, forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Body"))
    file = forms.FileField(
        label=_("Roster workbook (.xlsx)"),
        help_text=_(
            "One row per shift: 日期, 班次 (全天/白班/夜班), 带班领导, 值班人员 (names separated by 、), 值班电话."
        ),
    )
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "organization").queryset = duty_bodies_for(user)


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = EmergencyPlan
        fields = [
            "organization",
            "title",
            "kind",
            "industries",
            "version",
            "approved_on",
            "filed_on",
            "revision_due",
            "document",
        ]
        widgets = {"approved_on": DateInput(), "filed_on": DateInput(), "revision_due": DateInput()}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if duty_region(user) is None and not sees_everything(user):
            # A unit's own users register their own plans only.
            bodies = Organization.objects.filter(pk=user.organization_id or 0)
        else:
            bodies = in_duty_scope(Organization.objects.filter(is_active=True), user, code_field="region__code")
        model_choice(self, "organization").queryset = bodies
        self.fields["industries"].queryset = industries_for(user)  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean() or {}
        approved, filed, due = cleaned.get("approved_on"), cleaned.get("filed_on"), cleaned.get("revision_due")
        if approved and filed and filed < approved:
            self.add_error("filed_on", _("A plan is filed after it is approved."))
        if approved and due and due <= approved:
            self.add_error("revision_due", _("The next revision comes after the approval."))
        return cleaned


class DrillForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Drill
        fields = ["held_on", "scope", "participants", "assessment"]
        widgets = {"held_on": DateInput(), "assessment": forms.Textarea(attrs={"rows": 3})}

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("A drill is recorded after it is held: the date cannot be in the future."))
        return held_on


class DrillFindingForm(BootstrapFormMixin, forms.ModelForm):
    """A hazard a drill exposed: it goes on the ledger like any finding."""

    class Meta:
        model = Hazard
        fields = ["title", "description", "level", "kind", "industry", "region", "location"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "industry").queryset = industries_for(user)
        model_choice(self, "region").queryset = counties_for(user)
