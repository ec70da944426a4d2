"""Forms for recording and editing findings. Choices are limited to the user's scope."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazards.models import Attachment, Hazard
from hazards.scope import counties_for, industries_for, units_for
from hazards.uploads import pending_uploads, store_upload
from hunan_safety.forms import BootstrapFormMixin
from inspections.models import Campaign


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


class UnitWidget(forms.Select):
    """Renders only the chosen unit; the browser searches the rest as you type (tom-select)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"data-unit-search": "", **(attrs or {})})

    def optgroups(self, name, value, attrs=None):
        chosen = {str(v) for v in value if v}
        groups = super().optgroups(name, value, attrs)
        return [
            (group, [option for option in options if str(option["value"]) in chosen or option["value"] == ""], index)
            for group, options, index in groups
        ]


class AttachmentsMixin:
    """Handles the photo inputs: uploads are stored at once and carried by token across errors."""

    photo_fields = {"photos": Attachment.Stage.BEFORE, "after_photos": Attachment.Stage.AFTER}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.kept = {field: [] for field in self.photo_fields}
        if self.is_bound:
            for field in self.photo_fields:
                tokens = self.data.getlist(self.add_prefix(f"{field}_kept"))
                self.kept[field] = list(pending_uploads(tokens, user=user))

    def clean(self):
        cleaned = super().clean()
        limit = self._max_files()
        for field, stage in self.photo_fields.items():
            for upload in cleaned.get(field) or []:
                try:
                    self.kept[field].append(store_upload(upload, user=self.user, stage=stage))
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
        fields = ["title", "description", "industry", "level", "kind", "legal_basis", "location", "on_the_spot"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"industry": IndustryChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["industry"].queryset = industries_for(user)

    def clean(self):
        cleaned = super().clean()
        if "on_the_spot" not in self.fields:
            return cleaned
        if cleaned.get("on_the_spot") and not self.kept["after_photos"] and not self.has_error("after_photos"):
            self.add_error(
                "after_photos", _("A finding rectified on the spot needs at least one photo or document of the result.")
            )
        return cleaned


class FindingForm(FindingFields):
    """A finding logged on its own (/hazards/new/)."""

    class Meta(FindingFields.Meta):
        fields = [
            "title",
            "description",
            "industry",
            "level",
            "kind",
            "legal_basis",
            "source",
            "campaign",
            "region",
            "unit",
            "site_name",
            "location",
            "found_on",
            "on_the_spot",
        ]
        widgets = {
            **FindingFields.Meta.widgets,
            "found_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "unit": UnitWidget,
        }
        field_classes = {"industry": IndustryChoiceField, "region": RegionChoiceField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = counties_for(user).select_related("parent")
        self.fields["unit"].queryset = units_for(user)
        self.fields["campaign"].queryset = Campaign.objects.filter(is_active=True)
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
