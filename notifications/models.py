"""In-app notifications: one row per person told that someone did something to a hazard.

A row records what happened and for whom, not how it travelled: the e-mail and webhook channels
of a later issue can keep their own delivery records against it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from hazards.models import HazardEvent

Action = HazardEvent.Action

# Marked for the catalogue here, translated in `Notification.text`: each reader gets their language.
SENTENCES: dict[str, str] = {
    # Translators: a notification; actor is a person's name, number a ledger number (HN-…), title a hazard's title.
    Action.REPORT: gettext_noop("%(actor)s reported %(number)s “%(title)s”"),
    Action.EDIT: gettext_noop("%(actor)s edited %(number)s “%(title)s”"),
    Action.ATTACH: gettext_noop("%(actor)s attached files to %(number)s"),
    Action.ASSIGN: gettext_noop("%(actor)s assigned %(number)s “%(title)s” to your unit"),
    Action.START: gettext_noop("%(actor)s started rectifying %(number)s"),
    Action.SUBMIT: gettext_noop("%(actor)s submitted %(number)s for acceptance"),
    Action.REJECT: gettext_noop("%(actor)s rejected the rectification of %(number)s"),
    Action.VERIFY: gettext_noop("%(actor)s accepted the rectification of %(number)s"),
    Action.CLOSE: gettext_noop("%(actor)s closed %(number)s (account cancelled)"),
    Action.VOID: gettext_noop("%(actor)s voided %(number)s"),
    Action.REQUEST_EXTENSION: gettext_noop("%(actor)s asked to extend the deadline of %(number)s"),
    Action.DECIDE_EXTENSION: gettext_noop("%(actor)s decided on the extension of %(number)s"),
    Action.LIST: gettext_noop("%(actor)s put %(number)s under listed supervision"),
}


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user) -> "NotificationQuerySet":
        """A person's own notifications: nobody is ever shown anyone else's."""
        return self.filter(recipient_id=user.pk)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Tells one person that someone did something to a hazard (assigned it, rejected it, …)."""

    Action = HazardEvent.Action

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    note = models.TextField(_("note"), blank=True, help_text=_("e.g. the reason of a rejection"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.hazard_id} → {self.recipient_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The sentence for the active language, e.g. "张三 submitted HN-430181-2026-000001 for acceptance"."""
        actor = (self.actor.get_full_name() or self.actor.username) if self.actor else gettext("Someone")
        values = {
            "actor": actor,
            "number": self.hazard.number if self.hazard else "—",
            "title": self.hazard.title if self.hazard else "",
            "action": self.get_action_display(),
        }
        template = SENTENCES.get(self.action)
        if self.action == Action.ASSIGN and self._for_someone_outside_the_rectifying_unit():
            # The workflow also tells the people named on the responsibility chain, whose unit it is not.
            values["unit"] = self.hazard.rectifying_unit.name
            template = gettext_noop("%(actor)s assigned %(number)s “%(title)s” to %(unit)s")
        sentence = gettext(template) % values if template else gettext("%(actor)s: %(action)s, %(number)s") % values
        if self.note:
            # Translators: a notification followed by its reason or comment, e.g. why a rectification was rejected.
            return gettext("%(sentence)s: %(note)s") % {"sentence": sentence, "note": self.note}
        return sentence

    def _for_someone_outside_the_rectifying_unit(self) -> bool:
        unit_id = self.hazard.rectifying_unit_id if self.hazard else None
        return unit_id is not None and self.recipient.organization_id != unit_id
