"""The form of the ledger import page."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hunan_safety.forms import BootstrapFormMixin
from ledger.formats import XLSX_CONTENT_TYPE


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx, .xls, .ods or .csv)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": f".xlsx,.xls,.ods,.csv,{XLSX_CONTENT_TYPE}", "data-testid": "ledger-file"}
        ),
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
