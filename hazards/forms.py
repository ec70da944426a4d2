"""Forms for recording and editing findings. Choices are limited to the user's scope."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.scope import counties_for, industries_for, units_for
from hazards import workflow
from hazards.models import Attachment, Hazard
from hazards.photo_facts import parse_position
from hazards.responsibility import LAYERS, candidates, chain_from_posts, lacks_enterprise_contact, resolve_chain
from hazards.transitions import TRANSITIONS
from hazards.uploads import pending_uploads, store_upload
from hunan_safety.forms import BootstrapFormMixin, FormBase, model_choice
from hunan_safety.lazy import LazyText
from inspections.models import Campaign
from rules.calendar import working_calendar
from rules.models import DeterminationClause


def _with_current(queryset, current_pk):
    """The choices, plus the value the object already has."""
    if not current_pk:
        return queryset
    return queryset.model.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk=current_pk))


class ClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, clause):
        return clause.label


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; each is checked when the form is cleaned."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(PhotosField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class IndustryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, industry):
        return f"{industry.parent.name} · {industry.name}" if industry.parent_id else industry.name


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region):
        return f"{region.parent.name} {region.name}" if region.parent_id else region.name


UNIT_SEARCH_HELP = _("Type part of the unit's name or its credit code.")


class ChosenOnlySelect(forms.Select):
    """Renders only the chosen option; the browser searches the rest as you type (tom-select).

    `search` names the data attribute the page's script looks for.
    """

    search = ""

    def __init__(self, attrs=None):
        super().__init__(attrs={self.search: "", **(attrs or {})})

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value if v}
        groups = super().optgroups(name, value, attrs)
        return [
            (group, [option for option in options if str(option["value"]) in chosen or option["value"] == ""], index)
            for group, options, index in groups
        ]


class UnitWidget(ChosenOnlySelect):
    search = "data-unit-search"


class ClauseWidget(ChosenOnlySelect):
    """The determination clauses: searched in the standards library (rules:clause_search)."""

    search = "data-clause-search"


class AttachmentsMixin(FormBase):
    """Handles the photo inputs: uploads are stored at once and carried by token across errors."""

    user: User  # set by the concrete form before this mixin's __init__ runs

    photo_fields = {"photos": Attachment.Stage.BEFORE, "after_photos": Attachment.Stage.AFTER}

    def __init__(self, *args, **kwargs):
        # The concrete form sets self.user before this runs.
        super().__init__(*args, **kwargs)
        self.kept: dict[str, list[Attachment]] = {field: [] for field in self.photo_fields}
        if self.is_bound:
            assert isinstance(self.data, MultiValueDict)  # request.POST, or the ledger import's MultiValueDict
            for field in self.photo_fields:
                tokens = self.data.getlist(self.add_prefix(f"{field}_kept"))
                self.kept[field] = list(pending_uploads(tokens, user=self.user))

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        limit = self._max_files()
        for field, stage in self.photo_fields.items():
            # The phone's position when the photos were taken, if the user agreed to give it.
            position = parse_position(str(self.data.get(self.add_prefix(f"{field}_position"), "")))
            for upload in cleaned.get(field) or []:
                try:
                    self.kept[field].append(store_upload(upload, user=self.user, stage=stage, position=position))
                except ValidationError as error:
                    self.add_error(field, error)
            if len(self.kept[field]) > limit:
                self.add_error(field, _("At most %(count)d files per finding.") % {"count": limit})
        return cleaned

    @staticmethod
    def _max_files():
        from django.conf import settings

        return settings.ATTACHMENT_MAX_FILES

    def kept_tokens(self, field):
        return [str(attachment.token) for attachment in self.kept[field]]


class FindingFields(BootstrapFormMixin, AttachmentsMixin, forms.ModelForm):
    """The fields of one finding, inside an inspection or on its own."""

    photos = PhotosField(
        label=_("Photos of the hazard"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
        help_text=_("Take or choose several photos; on a computer you can also drop or paste them here."),
    )
    after_photos = PhotosField(
        label=_("Photos after rectification"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
        help_text=_("Needed when the hazard was rectified on the spot."),
    )

    class Meta:
        model = Hazard
        fields = [
            "title",
            "description",
            "industry",
            "determination_clause",
            "level",
            "major_reason",
            "kind",
            "legal_basis",
            "location",
            "on_the_spot",
        ]
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "major_reason": forms.Textarea(attrs={"rows": 2}),
            "determination_clause": ClauseWidget,
        }
        field_classes: dict[str, type[forms.Field]] = {
            "industry": IndustryChoiceField,
            "determination_clause": ClauseChoiceField,
        }
        help_texts = {
            "determination_clause": _(
                "Search the industry's major-hazard determination standard by clause number or words; "
                "a clause makes the hazard major and fills in the legal basis."
            ),
            "major_reason": _(
                "A major hazard that matches no clause of a determination standard: say why it is major."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        model_choice(self, "industry").queryset = industries_for(user)
        if "determination_clause" in self.fields:
            model_choice(self, "determination_clause").queryset = DeterminationClause.objects.filter(
                standard__is_active=True
            ).select_related("standard")

    def clean(self):
        cleaned = super().clean()
        if "determination_clause" in self.fields:
            self._clean_determination(cleaned)
        if "on_the_spot" not in self.fields:
            return cleaned
        if cleaned.get("on_the_spot") and not self.kept["after_photos"] and not self.has_error("after_photos"):
            self.add_error(
                "after_photos", _("A finding rectified on the spot needs at least one photo or document of the result.")
            )
        return cleaned

    def _clean_determination(self, cleaned):
        """A clause makes the hazard major and fills the legal basis; major without one needs a reason."""
        clause = cleaned.get("determination_clause")
        if clause is not None:
            cleaned["level"] = Hazard.Level.MAJOR
            if not (cleaned.get("legal_basis") or "").strip():
                cleaned["legal_basis"] = clause.legal_basis
        elif (
            cleaned.get("level") == Hazard.Level.MAJOR
            and not (cleaned.get("major_reason") or "").strip()
            # Asked of a person who was shown the question (the page always sends the field); an Excel
            # import, whose ledgers have no such column, checks its rows with this form without it.
            and self.add_prefix("major_reason") in self.data
        ):
            self.add_error(
                "major_reason",
                _("Pick the clause of the determination standard that makes it major, or say why it is major."),
            )


class FindingForm(FindingFields):
    """A finding logged on its own (/hazards/new/)."""

    class Meta(FindingFields.Meta):
        fields = [*workflow.EDITABLE_FIELDS, "on_the_spot"]
        widgets = {
            **FindingFields.Meta.widgets,
            "found_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "unit": UnitWidget,
        }
        field_classes = {"industry": IndustryChoiceField, "region": RegionChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # A finding being edited keeps its current values valid, even if they are now outside the
        # editor's choices (found on a team elsewhere, a campaign since ended).
        current = self.instance if self.instance.pk else None
        model_choice(self, "region").queryset = _with_current(
            counties_for(user).select_related("parent"), current and current.region_id
        )
        model_choice(self, "unit").queryset = _with_current(units_for(user), current and current.unit_id)
        self.fields["unit"].help_text = UNIT_SEARCH_HELP
        model_choice(self, "industry").queryset = _with_current(
            model_choice(self, "industry").queryset, current and current.industry_id
        )
        model_choice(self, "campaign").queryset = _with_current(
            Campaign.objects.recordable(), current and current.campaign_id
        )
        self.fields["found_on"].initial = timezone.localdate()
        if not self.is_bound and user.jurisdiction and user.jurisdiction.level == "county":
            self.fields["region"].initial = user.jurisdiction.pk

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("unit") and not cleaned.get("site_name"):
            self.add_error("site_name", _("Name the unit, or describe the site when it is not a registered unit."))
        unit, region = cleaned.get("unit"), cleaned.get("region")
        if unit and region and unit.region_id != region.pk and unit.region.level == "county":
            self.add_error("unit", _("This unit is in %(county)s, not in the county chosen.") % {"county": unit.region})
        found_on = cleaned.get("found_on")
        if found_on and found_on > timezone.localdate():
            self.add_error("found_on", _("The date found cannot be in the future."))
        campaign = cleaned.get("campaign")
        if campaign and found_on and {"campaign", "found_on"} & set(self.changed_data):
            try:
                campaign.refuse_outside(found_on, "campaign")
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class FindingEditForm(FindingForm):
    """Editing a reported finding: the same fields but no on-the-spot switch; photos can be added."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    photo_fields = {"photos": Attachment.Stage.BEFORE}

    class Meta(FindingForm.Meta):
        fields = [name for name in FindingForm.Meta.fields if name != "on_the_spot"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["after_photos"]
        self.fields["version"].initial = self.instance.version


class SelfCheckForm(FindingFields):
    """A hazard the unit found in its own self-inspection (企业自查自报), recorded by its own user."""

    photo_fields = {"photos": Attachment.Stage.BEFORE}
    deadline = forms.DateField(
        label=_("To be rectified by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For a general hazard the unit rectifies itself; a major one the department assigns."),
    )

    class Meta(FindingFields.Meta):
        fields = [
            "title",
            "description",
            "industry",
            "level",
            "kind",
            "location",
            "found_on",
            "needs_government_coordination",
            "measures",
        ]
        widgets = {
            **FindingFields.Meta.widgets,
            "found_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "measures": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "needs_government_coordination": _(
                "Tick when the unit cannot resolve it alone (需要政府协调解决): it goes to the department's queue."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["after_photos"]
        self.fields["found_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        found_on = cleaned.get("found_on")
        if found_on and found_on > timezone.localdate():
            self.add_error("found_on", _("The date found cannot be in the future."))
        to_department = cleaned.get("level") == Hazard.Level.MAJOR or cleaned.get("needs_government_coordination")
        if not to_department:
            deadline = cleaned.get("deadline")
            if deadline is None:
                self.add_error("deadline", _("Set the date by which the unit will have rectified it."))
            elif deadline < timezone.localdate():
                self.add_error("deadline", _("The deadline must be today or later."))
            if not (cleaned.get("measures") or "").strip():
                self.add_error("measures", _("Describe the rectification measures first."))
        return cleaned


# --- Workflow action forms: each is a small form on the detail page, performed by hazards.workflow.


class ActionForm(BootstrapFormMixin, forms.Form):
    """A workflow action's input; `perform` calls the workflow service, which owns every rule."""

    action: str = ""
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, hazard: Hazard, user, **kwargs):
        self.hazard = hazard
        self.user = user
        super().__init__(*args, prefix=self.action, **kwargs)
        self.fields["version"].initial = hazard.version

    def perform(self):
        raise NotImplementedError


class PostChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, post):
        holder = post.holder.get_full_name() if post.holder else _("vacant")
        return f"{post.organization.name} · {post.title} · {holder}"


class AssignForm(ActionForm):
    action = "assign"
    rectifying_unit: "forms.ModelChoiceField[Organization]" = forms.ModelChoiceField(
        label=_("Rectifying unit"),
        queryset=None,
        widget=UnitWidget,
        error_messages={
            "required": _(
                "Choose the unit that must rectify the hazard: for a hazard at an enterprise, the enterprise."
            )
        },
    )
    working_days = forms.IntegerField(
        label=_("Time limit in working days"),
        required=False,
        min_value=1,
        max_value=250,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "hx-trigger": "input changed delay:300ms"}),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Or give the time limit in working days above: the deadline is counted on the official calendar."),
    )
    measures = forms.CharField(
        label=_("Rectification measures required"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, hazard, user, **kwargs):
        super().__init__(*args, hazard=hazard, user=user, **kwargs)

        model_choice(self, "rectifying_unit").queryset = units_for(user)
        self.fields["rectifying_unit"].help_text = UNIT_SEARCH_HELP
        self.fields["rectifying_unit"].initial = hazard.rectifying_unit_id or hazard.unit_id
        resolved = resolve_chain(hazard)
        self.enterprise_contact_missing = lacks_enterprise_contact(hazard, resolved)
        for layer, posts in candidates(hazard).items():
            proposed = [entry["post_id"] for entry in resolved if entry["layer"] == layer and entry.get("post_id")]
            self.fields[f"chain_{layer}"] = PostChoices(
                label=LAYERS[layer], queryset=posts, required=False, initial=proposed
            )
        self.chain_fields = [self[f"chain_{layer}"] for layer in LAYERS]
        working_days = self.fields["working_days"]
        working_days.widget.attrs.update(
            {"hx-get": reverse("rules:working_days"), "hx-target": f"#{self.prefix}-deadline-preview"}
        )
        working_days.help_text = format_html(
            '<output id="{}-deadline-preview" aria-live="polite">{}</output>',
            self.prefix,
            _("The deadline is shown here."),
        )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        working_days = cleaned.get("working_days")
        if working_days:
            cleaned["deadline"] = working_calendar().add_working_days(timezone.localdate(), working_days)
        elif not cleaned.get("deadline") and not self.has_error("deadline") and not self.has_error("working_days"):
            self.add_error(
                "deadline",
                _(
                    "Set the deadline by which the unit must have rectified the hazard (today or later), "
                    "or the time limit in working days."
                ),
            )
        return cleaned

    def perform(self):

        chain_changed = any(f"chain_{layer}" in self.changed_data for layer in LAYERS)
        chosen = {layer: list(self.cleaned_data[f"chain_{layer}"]) for layer in LAYERS}
        return workflow.assign(
            actor=self.user,
            hazard_id=self.hazard.pk,
            deadline=self.cleaned_data["deadline"],
            rectifying_unit=self.cleaned_data["rectifying_unit"],
            measures=self.cleaned_data["measures"],
            chain=chain_from_posts(self.hazard, chosen) if chain_changed else None,
            version=self.cleaned_data["version"],
        )


FIVE_MUSTS_RULE = _(
    "A major hazard must have the five musts (五落实) in place before rectification starts — the person "
    "responsible, the measures, the funds, the time limit and the contingency plan — with its goals and the "
    "production suspension decided: %(field)s is missing."
)


class StartForm(ActionForm):
    action = "start"
    measures = forms.CharField(
        label=_("Rectification measures"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the rectification measures before starting.")},
    )
    responsible_person = forms.CharField(label=_("Person responsible"), required=False, max_length=100)
    funds = forms.DecimalField(label=_("Funds (10,000 yuan)"), required=False, min_value=0, decimal_places=2)
    contingency_plan = forms.CharField(
        label=_("Contingency plan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    goals = forms.CharField(label=_("Rectification goals"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    materials = forms.CharField(
        label=_("Materials and equipment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    production_suspension = forms.ChoiceField(
        label=_("Production suspension"),
        required=False,
        choices=[("", "---------"), *Hazard.ProductionSuspension.choices],
    )

    def __init__(self, *args, hazard, user, **kwargs):
        super().__init__(*args, hazard=hazard, user=user, **kwargs)
        for name in Hazard.PLAN_FIELDS:
            self.fields[name].initial = getattr(hazard, name)
        if hazard.is_major:
            # 五落实 and the rest of a major hazard's plan; its time limit is the deadline, set on assignment.
            for name in Hazard.MAJOR_PLAN_FIELDS:
                if name in self.fields:
                    self.fields[name].required = True
                    self.fields[name].error_messages["required"] = FIVE_MUSTS_RULE % {"field": self.fields[name].label}

    def perform(self):
        plan = {key: value for key, value in self.cleaned_data.items() if key != "version"}
        return workflow.start(
            actor=self.user, hazard_id=self.hazard.pk, plan=plan, version=self.cleaned_data["version"]
        )


EVIDENCE_ACCEPT = "image/*,application/pdf,.doc,.docx,.xls,.xlsx"

MAJOR_METHOD_CHOICES = [("", "---------")] + [
    (value, label) for value, label in Hazard.AcceptanceMethod.choices if value in Hazard.MAJOR_ACCEPTANCE_METHODS
]


class SubmitForm(AttachmentsMixin, ActionForm):
    action = "submit"
    photo_fields = {
        "after_photos": Attachment.Stage.AFTER,
        "evaluation_report": Attachment.Stage.EVALUATION,
        "application": Attachment.Stage.APPLICATION,
    }
    completion_report = forms.CharField(
        label=_("Completion report"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, and when."),
        error_messages={"required": _("Write the completion report: what was done, and when.")},
    )
    after_photos = PhotosField(
        label=_("Photos or documents of the result"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT, "capture": "environment"}),
    )
    # A major hazard's submission (SAWS Order 16 art. 18): the evaluation and the written application.
    evaluation_method = forms.ChoiceField(
        label=_("Evaluated by"),
        choices=MAJOR_METHOD_CHOICES,
        error_messages={
            "required": _("Say who evaluated the rectification: experts or a qualified agency (not the unit itself).")
        },
    )
    evaluating_body = forms.CharField(
        label=_("Evaluating agency or experts"),
        max_length=300,
        help_text=_("The agency's name, or the experts' names and titles."),
        error_messages={"required": _("Name the agency or the experts who evaluated the rectification.")},
    )
    evaluation_report = PhotosField(
        label=_("Evaluation report"), required=False, widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT})
    )
    application = PhotosField(
        label=_("Written application for cancellation"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=_("The unit's signed and stamped application to have the major hazard cancelled."),
    )

    MAJOR_ONLY = ("evaluation_method", "evaluating_body", "evaluation_report", "application")

    def __init__(self, *args, hazard, user, **kwargs):
        super().__init__(*args, hazard=hazard, user=user, **kwargs)
        if not hazard.is_major:
            for name in self.MAJOR_ONLY:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        needed = {"after_photos": _("Add at least one photo or document of the result of this round.")}
        if self.hazard.is_major:
            needed["evaluation_report"] = _("Attach the evaluation report of the experts or agency.")
            needed["application"] = _("Attach the unit's written application for cancellation.")
        for field, message in needed.items():
            if not self.kept[field] and not self.has_error(field):
                self.add_error(field, message)
        return cleaned

    def perform(self):
        return workflow.submit(
            actor=self.user,
            hazard_id=self.hazard.pk,
            completion_report=self.cleaned_data["completion_report"],
            attachments=self.kept["after_photos"],
            evaluation_method=self.cleaned_data.get("evaluation_method", ""),
            evaluating_body=self.cleaned_data.get("evaluating_body", ""),
            evaluation_reports=self.kept["evaluation_report"],
            applications=self.kept["application"],
            version=self.cleaned_data["version"],
        )


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    reason_required: LazyText = _("Give the reason.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = self.reason_required


class RejectForm(ReasonForm):
    action = "reject"
    reason_required = _("Say why the rectification is not accepted: the unit sees it above its next submission.")

    def perform(self):
        return workflow.reject(
            actor=self.user,
            hazard_id=self.hazard.pk,
            reason=self.cleaned_data["reason"],
            version=self.cleaned_data["version"],
        )


class VoidForm(ReasonForm):
    action = "void"
    reason_required = _("Say why this finding is void, e.g. logged twice or in error: it stays on the ledger.")

    def perform(self):
        return workflow.void(
            actor=self.user,
            hazard_id=self.hazard.pk,
            reason=self.cleaned_data["reason"],
            version=self.cleaned_data["version"],
        )


class VerifyForm(ActionForm):
    action = "verify"
    method = forms.ChoiceField(label=_("Acceptance method"), choices=Hazard.AcceptanceMethod.choices)
    reviewed_on = forms.DateField(
        label=_("On-site review date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("A major hazard is reviewed on site before it is accepted: give the date.")},
    )
    reviewers = forms.CharField(
        label=_("On-site reviewers"),
        max_length=300,
        error_messages={"required": _("Name the people who reviewed the major hazard on site.")},
    )
    opinion = forms.CharField(
        label=_("Acceptance opinion"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the acceptance opinion: what was checked and found.")},
    )

    def __init__(self, *args, hazard, user, **kwargs):
        super().__init__(*args, hazard=hazard, user=user, **kwargs)
        if hazard.is_major:
            # No default for a major hazard: the evaluation is by experts or an agency, chosen deliberately.
            method = self.fields["method"]
            assert isinstance(method, forms.ChoiceField)
            method.choices = MAJOR_METHOD_CHOICES
            method.initial = ""
            method.error_messages["required"] = _(
                "A major hazard is accepted on an evaluation by experts or a qualified agency: choose which."
            )
        else:
            del self.fields["reviewed_on"]
            del self.fields["reviewers"]

    def perform(self):
        return workflow.verify(
            actor=self.user,
            hazard_id=self.hazard.pk,
            method=self.cleaned_data["method"],
            opinion=self.cleaned_data["opinion"],
            reviewed_on=self.cleaned_data.get("reviewed_on"),
            reviewers=self.cleaned_data.get("reviewers", ""),
            version=self.cleaned_data["version"],
        )


class CloseForm(ActionForm):
    action = "close"
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def perform(self):
        return workflow.close(
            actor=self.user,
            hazard_id=self.hazard.pk,
            note=self.cleaned_data["note"],
            version=self.cleaned_data["version"],
        )


class ListForm(ActionForm):
    action = "list"
    level = forms.ChoiceField(
        label=_("Level of the listed supervision"),
        choices=[(value, label) for value, label in Hazard.ListedLevel.choices if value],
    )

    def perform(self):
        return workflow.list_for_supervision(
            actor=self.user,
            hazard_id=self.hazard.pk,
            level=self.cleaned_data["level"],
            version=self.cleaned_data["version"],
        )


class ExtensionRequestForm(ActionForm):
    action = "request_extension"
    new_deadline = forms.DateField(
        label=_("New deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the new deadline you ask for: later than the current one.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why more time is needed.")},
    )

    def perform(self):
        return workflow.request_extension(
            actor=self.user,
            hazard_id=self.hazard.pk,
            new_deadline=self.cleaned_data["new_deadline"],
            reason=self.cleaned_data["reason"],
            version=self.cleaned_data["version"],
        )


class DecideExtensionForm(ActionForm):
    action = "decide_extension"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the new deadline")), ("deny", _("Deny"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve the new deadline or deny it (saying why).")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Required when denying.")
    )

    def perform(self):
        return workflow.decide_extension(
            actor=self.user,
            hazard_id=self.hazard.pk,
            approve=self.cleaned_data["decision"] == "approve",
            note=self.cleaned_data["note"],
            version=self.cleaned_data["version"],
        )


def action_form(action: str) -> type[ActionForm]:
    """The form of a button in the transition table (hazards/transitions.py names it)."""
    form = globals()[TRANSITIONS[action].form]
    assert issubclass(form, ActionForm) and form.action == action, action
    return form
