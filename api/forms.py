from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hunan_safety.forms import BootstrapFormMixin


class TokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the new token"), max_length=100, help_text=_("The system that will use it, e.g. 市级平台对接.")
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Leave empty for a token that does not expire; revoke it when the system no longer needs it."),
    )

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("A token acts as you: confirm that you are the one asking for it."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password: the token was not created."))
        return password

    def expires_at(self):
        days = self.cleaned_data.get("valid_days")
        return timezone.now() + timedelta(days=days) if days else None
