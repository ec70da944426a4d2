from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from hunan_safety.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )


class PasswordChangeFormStyled(BootstrapFormMixin, PasswordChangeForm):
    pass
