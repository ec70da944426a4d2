"""In-app notifications: one row per person told that someone did something to a hazard.

A row records what happened and for whom, not how it travelled. Reminders and digests (DESIGN.md
section 6) are data too: a `Reminder` row per rung of a hazard's ladder and person, a `Digest` row
per head and day, each shown in-app by its `Notification` and sent on the other channels it goes
out by (e-mail, webhook) through one `Delivery` row each. A reminder's notification is written when
its recipient opens their notifications; until then the bell counts the reminder itself.
"""

from itertools import groupby

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from hazards.models import Hazard, HazardEvent

Action = HazardEvent.Action

# A reminder in its recipient's bell: planned, its notification not written yet. The bell counts
# these (services.unread_count) on their own index; notice_reminders writes them (its SQL says the same).
IN_BELL = Q(claimed_at__isnull=False, noticed_at__isnull=True)

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
    Action.CLOSE: gettext_noop("%(actor)s cancelled the ledger entry %(number)s (closed)"),
    Action.VOID: gettext_noop("%(actor)s voided %(number)s"),
    Action.REQUEST_EXTENSION: gettext_noop("%(actor)s asked to extend the deadline of %(number)s"),
    Action.DECIDE_EXTENSION: gettext_noop("%(actor)s decided on the extension of %(number)s"),
    Action.LIST: gettext_noop("%(actor)s put %(number)s under listed supervision"),
    Action.ISSUE_DOCUMENT: gettext_noop("%(actor)s issued an enforcement document on %(number)s"),
}


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user: User | AnonymousUser) -> "NotificationQuerySet":
        """A person's own notifications: nobody is ever shown anyone else's."""
        return self.filter(recipient_id=user.pk)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def for_display(self) -> "NotificationQuerySet":
        """With everything `text` and `about` read joined, not read row by row (the list and the API)."""
        return self.select_related(
            "recipient",
            "actor",
            "hazard__rectifying_unit",
            "reminder__hazard__rectifying_unit",
            "reminder__hazard__unit",
            "digest",
        )


class Notification(models.Model):
    """Tells one person that someone did something to a hazard (assigned it, rejected it, …)."""

    Action = HazardEvent.Action

    # Indexed by notification_unread_idx, which starts with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    # Indexed where set (notification_actor_idx): reminders and digests, most rows, have no actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # An event's hazard. A reminder's notification leaves it empty: its reminder names the hazard
    # (`about`), and the deadline scan writes hundreds of thousands of them a day, each of which
    # would otherwise cost a foreign-key check on the ledger's largest table and an index entry
    # (issue 19.3: 3 s of a 20 s scan). Indexed where set (notification_hazard_idx).
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
    )

    class Kind(models.TextChoices):
        EVENT = "event", _("Action on a hazard")
        REMINDER = "reminder", _("Reminder")
        DIGEST = "digest", _("Daily digest")
        # A notice of another app (e.g. a unit has not reconciled its period): its text and link are stored.
        NOTICE = "notice", _("Notice")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EVENT)
    # Set for kind=event only: reminders and digests say what they are through their own rows.
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, blank=True)
    # One-to-one: a reminder or digest shows in-app at most once, whatever reruns.
    reminder = models.OneToOneField(
        "notifications.Reminder",
        verbose_name=_("reminder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notification",
    )
    digest = models.OneToOneField(
        "notifications.Digest",
        verbose_name=_("daily digest"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notification",
    )
    note = models.TextField(_("note"), blank=True, help_text=_("e.g. the reason of a rejection"))
    # Kind=notice only: the page of this site it is about (a path).
    # db_default: the deadline scan inserts notifications in SQL (notifications/sql.py) and names no link.
    link = models.CharField(_("link"), max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="notification_actor_idx"),
            models.Index(fields=["hazard"], condition=Q(hazard__isnull=False), name="notification_hazard_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action or self.kind} {self.hazard_id} → {self.recipient_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def about(self) -> Hazard | None:
        """The hazard this notification is about: an event's own, a reminder's through its reminder."""
        if self.hazard_id is None and self.reminder is not None:
            return self.reminder.hazard
        return self.hazard

    @property
    def about_id(self) -> int | None:
        if self.hazard_id is None and self.reminder is not None:
            return self.reminder.hazard_id
        return self.hazard_id

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The sentence for the active language, e.g. "张三 submitted HN-430181-2026-000001 for acceptance"."""
        # (An unset foreign key reads as None without a query.)
        if self.kind == self.Kind.NOTICE:
            return self.note  # written in the recipient's language when the notice was made
        if self.kind == self.Kind.REMINDER and self.reminder is not None:
            return self.reminder.headline()
        if self.kind == self.Kind.DIGEST and self.digest is not None:
            return self.digest.headline()
        actor = (self.actor.get_full_name() or self.actor.username) if self.actor else gettext("Someone")
        values = {
            "actor": actor,
            "number": self.hazard.number if self.hazard else "—",
            "title": self.hazard.title if self.hazard else "",
            "action": self.get_action_display(),
        }
        template = SENTENCES.get(self.action)
        outside_unit = self._rectifying_unit_not_the_recipients() if self.action == Action.ASSIGN else None
        if outside_unit is not None:
            # The workflow also tells the people named on the responsibility chain, whose unit it is not.
            values["unit"] = outside_unit.name
            template = gettext_noop("%(actor)s assigned %(number)s “%(title)s” to %(unit)s")
        sentence = gettext(template) % values if template else gettext("%(actor)s: %(action)s, %(number)s") % values
        if self.note:
            # Translators: a notification followed by its reason or comment, e.g. why a rectification was rejected.
            return gettext("%(sentence)s: %(note)s") % {"sentence": sentence, "note": self.note}
        return sentence

    def _rectifying_unit_not_the_recipients(self) -> "Organization | None":
        """The hazard's rectifying unit when the recipient is not a member of it, else None."""
        unit_id = self.hazard.rectifying_unit_id if self.hazard else None
        if self.hazard is None or unit_id is None or self.recipient.organization_id == unit_id:
            return None
        return self.hazard.rectifying_unit


class Reminder(models.Model):
    """One rung of a hazard's reminder ladder for one person, created at most once.

    The unique key (hazard, stage, deadline, sequence, recipient) is what makes a second scan, a
    retried task or two beats harmless: they insert-or-ignore the same rows. The deadline is part of
    the key, so an extension (a new deadline) starts a new ladder.
    """

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        DUE_TODAY = "due_today", _("Due today")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalated")

    # Indexed by the unique key reminder_sent_once, which starts with it.
    hazard = models.ForeignKey(
        "hazards.Hazard", verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="reminders", db_index=False
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    deadline = models.DateField(_("deadline it refers to"))
    sequence = models.PositiveSmallIntegerField(
        _("sequence"), default=0, help_text=_("0 for the first reminder of its stage, 1 for the next repeat, …")
    )
    # Indexed only where the bell reads reminders by person (reminder_in_bell_idx): a full index
    # would be written once per reminder, hundreds of thousands a day, and grow for ever (issue 19.3).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="reminders",
        db_index=False,
    )
    due_on = models.DateField(_("day of the scan"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The scan that inserted the row. Not indexed: a scan counts and plans what it inserted from its
    # inserts' RETURNING, and every index is written once per reminder (hundreds of thousands a scan).
    scan = models.UUIDField(_("scan"), editable=False)
    # Set once, when a planner claims the row and creates its deliveries (a conditional UPDATE).
    claimed_by = models.UUIDField(_("claimed by"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("deliveries planned"), null=True, blank=True)
    # A planned reminder is in its recipient's bell at once (counted by reminder_in_bell_idx); its
    # `Notification` row is written when the recipient next opens their notifications, which sets
    # this (notifications.services.notice_reminders). The scan writes no notification: hundreds of
    # thousands a day, most of them read by nobody on the day, cost it a third of its time (issue 19.3).
    noticed_at = models.DateTimeField(_("in the notifications since"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_on", "hazard_id", "stage", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "stage", "deadline", "sequence", "recipient"], name="reminder_sent_once"
            ),
        ]
        indexes = [
            # Stays small: only rows whose deliveries nobody has planned yet.
            models.Index(fields=["id"], condition=Q(claimed_at__isnull=True), name="reminder_unclaimed_idx"),
            # Only the planned reminders not yet in their recipient's notifications.
            models.Index(
                fields=["recipient"],
                condition=IN_BELL,
                name="reminder_in_bell_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.stage}#{self.sequence} ({self.deadline}) → {self.recipient_id}"

    @property
    def days(self) -> int:
        """Days overdue (or, before the deadline, days left) on the day of the scan."""
        return abs((self.due_on - self.deadline).days)

    def headline(self) -> str:
        """One sentence saying which hazard and how late, in the active language."""
        hazard = self.hazard
        days = self.days
        values = {
            "number": hazard.number,
            "title": hazard.title,
            "days": days,
            "deadline": self.deadline.isoformat(),
            "unit": hazard.rectifying_unit.name if hazard.rectifying_unit is not None else hazard.place,
        }
        if self.stage == self.Stage.DUE_SOON:
            # Translators: a reminder; number is a ledger number (HN-…), title a hazard's title, deadline a date.
            template = ngettext(
                "%(number)s “%(title)s” is due in %(days)d day, on %(deadline)s",
                "%(number)s “%(title)s” is due in %(days)d days, on %(deadline)s",
                days,
            )
        elif self.stage == self.Stage.DUE_TODAY:
            template = gettext("%(number)s “%(title)s” is due today")
        elif self.stage == self.Stage.OVERDUE:
            template = ngettext(
                "%(number)s “%(title)s” is %(days)d day overdue (deadline %(deadline)s)",
                "%(number)s “%(title)s” is %(days)d days overdue (deadline %(deadline)s)",
                days,
            )
        else:
            # Translators: an escalated reminder, sent up the responsibility chain; unit is the rectifying unit.
            template = ngettext(
                "Escalated: %(number)s “%(title)s” of %(unit)s is %(days)d day overdue",
                "Escalated: %(number)s “%(title)s” of %(unit)s is %(days)d days overdue",
                days,
            )
        return template % values


class Digest(models.Model):
    """One department head's daily list of overdue and due-soon hazards in their scope.

    `items` is a snapshot taken by the scan (number, title, unit, deadline, …): the message says
    what was due that morning, whoever reads it later.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="digests"
    )
    day = models.DateField(_("day"))
    items = models.JSONField(_("items"), default=list, blank=True)
    overdue_count = models.PositiveIntegerField(_("overdue"), default=0)
    due_soon_count = models.PositiveIntegerField(_("due soon"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    scan = models.UUIDField(_("scan"), editable=False)
    claimed_by = models.UUIDField(_("claimed by"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("deliveries planned"), null=True, blank=True)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        ordering = ["-day", "recipient_id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="digest_once_a_day")]
        indexes = [
            models.Index(fields=["scan"], name="digest_scan_idx"),
            models.Index(fields=["claimed_by"], name="digest_claimed_by_idx"),
            models.Index(fields=["id"], condition=Q(claimed_at__isnull=True), name="digest_unclaimed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} → {self.recipient_id}"

    @property
    def total(self) -> int:
        return self.overdue_count + self.due_soon_count

    def headline(self) -> str:
        """The digest in one sentence, in the active language."""
        return gettext("Daily digest of %(day)s: %(overdue)d overdue and %(due_soon)d due soon in your scope") % {
            "day": self.day.isoformat(),
            "overdue": self.overdue_count,
            "due_soon": self.due_soon_count,
        }

    def items_by_unit(self) -> list[tuple[str, list[dict]]]:
        """The items grouped by rectifying unit, in the order the scan stored them (by unit)."""
        return [(unit, list(group)) for unit, group in groupby(self.items, key=lambda item: item["unit"])]


class Delivery(models.Model):
    """One reminder or digest on one channel: its status, attempts, last error and the response.

    The in-app channel has none: a planned reminder is in its recipient's bell (its notification is
    written when they open their notifications), a digest's notification is written by the planner
    (rows of channel in_app are from before). E-mail and webhook deliveries wait as `pending` rows
    (an outbox): a worker claims each with a conditional UPDATE before sending, so a second task for
    the same row does nothing.
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In-app")
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        # A context of their own: "Pending" of an extension request is another word in Chinese.
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")
        SENDING = "sending", pgettext_lazy("delivery status", "Sending")
        RETRYING = "retrying", pgettext_lazy("delivery status", "Waiting to retry")
        SENT = "sent", pgettext_lazy("delivery status", "Sent")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("delivery status", "Cancelled")

    # What it carries: one of the three, each indexed by its unique constraint (delivery_once_per_…).
    reminder = models.ForeignKey(
        Reminder,
        verbose_name=_("reminder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,
    )
    digest = models.ForeignKey(
        Digest,
        verbose_name=_("daily digest"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,
    )
    # News of an event (a major hazard reported) that also goes out by e-mail and robot.
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Whose chat webhook (webhook channel only): one chat message per organisation and rung.
    # Indexed where set (delivery_organization_idx): webhook rows only.
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True, help_text=_("E-mail address or webhook URL"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    response = models.TextField(_("response"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder__isnull=False, digest__isnull=True, notification__isnull=True)
                | Q(reminder__isnull=True, digest__isnull=False, notification__isnull=True)
                | Q(reminder__isnull=True, digest__isnull=True, notification__isnull=False),
                name="delivery_of_a_reminder_a_digest_or_news",
            ),
            models.UniqueConstraint(
                fields=["reminder", "channel"], condition=Q(reminder__isnull=False), name="delivery_once_per_reminder"
            ),
            models.UniqueConstraint(
                fields=["digest", "channel"], condition=Q(digest__isnull=False), name="delivery_once_per_digest"
            ),
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=Q(notification__isnull=False),
                name="delivery_once_per_notification",
            ),
            models.UniqueConstraint(
                fields=["organization", "topic"],
                condition=Q(channel="webhook"),
                name="delivery_one_chat_message_per_organization",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(
                fields=["organization"], condition=Q(organization__isnull=False), name="delivery_organization_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} #{self.pk}"

    @property
    def target(self) -> "Reminder | Digest | Notification":
        """What this delivery carries: its reminder, digest or news (the check constraint wants exactly one)."""
        if self.reminder is not None:
            return self.reminder
        if self.digest is not None:
            return self.digest
        if self.notification is not None:
            return self.notification
        raise ValueError(f"delivery #{self.pk} carries neither a reminder, a digest nor news")


class ChannelPreference(models.Model):
    """How a person wants reminders and digests beyond the in-app bell, which is always on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="channel_preference",
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    webhook = models.BooleanField(_("through my organisation's chat group"), default=True)
    language = models.CharField(
        _("language of e-mails and chat messages"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} webhook={self.webhook}"

    @classmethod
    def for_user(cls, user: User) -> "ChannelPreference":
        """The person's choices, or the defaults when they never chose (not saved)."""
        try:
            return user.channel_preference
        except cls.DoesNotExist:
            return cls(user=user)


class RobotWindow(models.Model):
    """What one chat robot address has been sent in the last minute, shared by every worker.

    The relay takes this row FOR UPDATE before sending to the robot (notifications/robots.py), so
    two workers never both take the twentieth slot: a database row lock works the same on SQLite
    and PostgreSQL, where a cache would be shared across workers only when it is Redis.
    """

    address = models.CharField(_("robot address"), max_length=500, unique=True)
    # Epoch seconds of the messages sent in the last 60 seconds (a sliding window, at most the limit).
    recent_sends = models.JSONField(_("recent sends"), default=list, blank=True)
    # Set after the robot answered "too many requests": nothing goes to it before then.
    closed_until = models.DateTimeField(_("closed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat robot window")
        verbose_name_plural = _("chat robot windows")

    def __str__(self) -> str:
        return self.address
