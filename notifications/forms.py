from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hunan_safety.forms import BootstrapFormMixin
from notifications.models import ChannelPreference


class ChannelPreferenceForm(BootstrapFormMixin, forms.ModelForm):
    """The profile page: how reminders and digests reach a person beyond the in-app bell."""

    email_address = forms.EmailField(label=_("E-mail address"), required=False)

    class Meta:
        model = ChannelPreference
        fields = ["email_address", "email", "webhook", "language"]
        labels = {
            "email": _("Send me reminders and digests by e-mail"),
            "webhook": _("Post my reminders and digests to my organisation's chat group"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["email_address"].initial = user.email
        organization = user.organization
        self.webhook_available = bool(organization and organization.is_active and organization.webhook_url)
        self.webhook_chosen = self.instance.webhook
        if not self.webhook_available:
            # Shown unticked: nothing is posted without a robot. The choice itself is kept for when one is added.
            self.initial["webhook"] = False
            self.fields["webhook"].disabled = True
            self.fields["webhook"].help_text = _(
                "Your organisation has no chat webhook yet; an administrator can add one to the organisation."
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("email") and not cleaned.get("email_address"):
            self.add_error("email_address", _("Enter an e-mail address to receive reminders by e-mail."))
        return cleaned

    def save(self, commit=True):
        preference = super().save(commit=False)
        preference.user = self.user
        if not self.webhook_available:
            preference.webhook = self.webhook_chosen
        if commit:
            preference.save()
            if self.user.email != self.cleaned_data["email_address"]:
                self.user.email = self.cleaned_data["email_address"]
                self.user.save(update_fields=["email"])
        return preference
