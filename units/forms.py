"""The form of the register import page."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hunan_safety.forms import BootstrapFormMixin

XLSX = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnitImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Register of units (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX, "data-testid": "register-file"}),
        help_text=gettext_lazy(
            "One row per unit: 单位名称, 统一社会信用代码, 县市区, 乡镇街道, 地址, 行业领域, 法定代表人, 安全负责人 and their phones, 企业规模, 风险等级, 经营状态."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and show what would change, write nothing"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.LEDGER_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Import the register in parts.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload
