"""The form of the ledger import page."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from accounts.models import User
from accounts.scope import industries_for
from hazards.models import Hazard, HazardState
from hunan_safety.forms import BootstrapFormMixin
from ledger.columns import IMPORT_COLUMNS
from ledger.formats import XLSX_CONTENT_TYPE
from ledger.mappings import named_profiles
from ledger.reading import ImportCheck, header_key
from ledger.validation import name_key


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx, .xls, .ods or .csv)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": f".xlsx,.xls,.ods,.csv,{XLSX_CONTENT_TYPE}", "data-testid": "ledger-file"}
        ),
    )
    profile = forms.ModelChoiceField(
        label=gettext_lazy("Import profile"),
        queryset=named_profiles(),
        required=False,
        empty_label=gettext_lazy("— your organisation's own mapping —"),
        help_text=gettext_lazy("A mapping shared by an administrator for ledgers of a known shape."),
    )
    add_units = forms.BooleanField(
        label=gettext_lazy("Add the units not in the register to it"),
        required=False,
        help_text=gettext_lazy(
            "Instead of recording them as sites: each is added to the register of its county with the name "
            "given, flagged as added by import, to be completed."
        ),
        widget=forms.CheckboxInput(attrs={"data-testid": "import-add-units"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.LEDGER_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Import the ledger in parts.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class MappingForm(BootstrapFormMixin, forms.Form):
    """The file's columns we do not know beside our fields, and the words no field knows, to map once.

    What is mapped is kept for the organisation (ledger.mappings.remember): the next file of the same
    shape imports without asking. A column mapped to nothing is left out, and not asked about again.
    """

    def __init__(self, *args, check: ImportCheck, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(check.columns.values())
        columns = [("", _("— not imported —"))] + [
            (column.key, str(column.header)) for column in IMPORT_COLUMNS if column.key not in taken
        ]
        self.headers: dict[str, str] = {}
        for index in check.unmapped:
            name = f"column_{index}"
            examples = "、".join(check.examples.get(index, []))
            self.fields[name] = forms.ChoiceField(
                label=_("Column %(letter)s “%(header)s”")
                % {"letter": get_column_letter(index + 1), "header": check.headers[index]},
                # The shared field template renders help text as HTML: the file's words are escaped here.
                help_text=escape(_("e.g. %(examples)s") % {"examples": examples}) if examples else "",
                choices=columns,
                required=False,
            )
            self.headers[name] = check.headers[index]
        choices = _value_choices(user)
        self.words: dict[str, tuple[str, str]] = {}
        for number, ((field, word), rows) in enumerate(check.unknown_values.items()):
            name = f"value_{number}"
            self.fields[name] = forms.ChoiceField(
                label=f"{VALUE_FIELDS[field]}: “{word}”",
                help_text=_("rows %(rows)s") % {"rows": ", ".join(map(str, rows[:10]))} if rows else "",
                choices=[("", _("— leave as it is —")), *choices[field]],
                required=False,
            )
            self.words[name] = (field, word)

    def mapping(self) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """(header key → column key or "" for left out, field → word key → value) of what was chosen."""
        columns = {header_key(header): self.cleaned_data.get(name, "") for name, header in self.headers.items()}
        values: dict[str, dict[str, str]] = {}
        for name, (field, word) in self.words.items():
            if self.cleaned_data.get(name):
                key = name_key(word).replace("·", "") if field == "industry" else name_key(word)
                values.setdefault(field, {})[key] = self.cleaned_data[name]
        return columns, values


VALUE_FIELDS = {
    "industry": gettext_lazy("Industry"),
    "level": gettext_lazy("Level"),
    "kind": gettext_lazy("Form"),
    "source": gettext_lazy("Source"),
    "yes_no": gettext_lazy("Yes or no"),
    "state": gettext_lazy("State"),
}


def _value_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    return {
        "industry": [(industry.code, industry.name) for industry in industries_for(user)],
        "level": [(value, str(label)) for value, label in Hazard.Level.choices],
        "kind": [(value, str(label)) for value, label in Hazard.Kind.choices],
        "source": [(value, str(label)) for value, label in Hazard.Source.choices],
        "yes_no": [("yes", _("Yes")), ("no", _("No"))],
        "state": [(value, str(label)) for value, label in HazardState.choices],
    }
