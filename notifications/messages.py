"""The words of reminders and digests in the reader's language: the in-app sentence, the e-mail, the chat message.

Each is composed when it is sent, under `translation.override` with the recipient's chosen language
(Chinese unless they chose English on their profile page).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from notifications.models import ChannelPreference, Delivery, Digest, Notification, Reminder

# Enterprise chat robots cap a text message (WeCom: 2048 bytes of UTF-8); a digest is cut to fit.
CHAT_MAX_BYTES = 2000


@dataclass(frozen=True)
class Message:
    subject: str  # e-mail subject
    body: str  # e-mail body, plain text
    chat: str  # the chat robot's text: title, details, link
    url: str  # where the reader acts on it


def absolute(path: str) -> str:
    """An absolute link from SITE_URL (e-mails and chat messages are read outside the site)."""
    return f"{settings.SITE_URL}{path}"


def due_phrase(days_left: int) -> str:
    """ "3 days overdue", "due today", "due in 2 days"."""
    if days_left < 0:
        return ngettext("%(days)d day overdue", "%(days)d days overdue", -days_left) % {"days": -days_left}
    if days_left == 0:
        return gettext("due today")
    return ngettext("due in %(days)d day", "due in %(days)d days", days_left) % {"days": days_left}


def _subject(headline: str) -> str:
    # Translators: an e-mail subject; keep the product's name in front so that mail filters can find it.
    return gettext("[Hunan Safety] %(headline)s") % {"headline": headline}


def _line(label: str, value: str) -> str:
    # Translators: a label and its value on one line of a chat message, e.g. "Deadline: 2026-06-01".
    return gettext("%(label)s: %(value)s") % {"label": label, "value": value}


WHY: dict[str, Callable[[], str]] = {
    Reminder.Stage.DUE_SOON: lambda: gettext(
        "The rectification must be finished and submitted for acceptance by the deadline. If more time is needed, the rectifying unit must ask for an extension before the deadline."
    ),
    Reminder.Stage.DUE_TODAY: lambda: gettext("The rectification must be finished and submitted for acceptance today."),
    Reminder.Stage.OVERDUE: lambda: gettext(
        "The deadline has passed and the rectification has not been submitted for acceptance."
    ),
    Reminder.Stage.ESCALATION: lambda: gettext(
        "The hazard is still not rectified long after its deadline: under one post, two responsibilities, the reminder now goes up the responsibility chain."
    ),
}


def _reminder_message(reminder: Reminder) -> Message:
    hazard = reminder.hazard
    headline = reminder.headline()
    url = absolute(reverse("hazards:detail", args=[hazard.pk]))
    unit = hazard.rectifying_unit.name if hazard.rectifying_unit is not None else hazard.place
    recipient = reminder.recipient
    body = render_to_string(
        "notifications/email/reminder.txt",
        {
            "name": recipient.get_full_name() or recipient.username,
            "headline": headline,
            "hazard": hazard,
            "unit": unit,
            "deadline": reminder.deadline,
            "why": WHY[reminder.stage](),
            "url": url,
            "profile_url": absolute(reverse("profile")),
        },
    )
    # The first line carries the product's name: DingTalk robots secured by keyword need one.
    chat = "\n".join(
        [
            _subject(headline),
            _line(gettext("Rectifying unit"), unit),
            _line(gettext("Deadline"), reminder.deadline.isoformat()),
            url,
        ]
    )
    return Message(subject=_subject(headline), body=body, chat=chat, url=url)


def _digest_message(digest: Digest) -> Message:
    headline = digest.headline()
    url = absolute(reverse("notifications:digest", args=[digest.pk]))
    groups = [
        (unit or gettext("No rectifying unit"), [{**item, "due": due_phrase(item["days_left"])} for item in items])
        for unit, items in digest.items_by_unit()
    ]
    recipient = digest.recipient
    body = render_to_string(
        "notifications/email/digest.txt",
        {
            "name": recipient.get_full_name() or recipient.username,
            "headline": headline,
            "groups": groups,
            "more": max(digest.total - len(digest.items), 0),
            "site_url": settings.SITE_URL,
            "url": url,
            "profile_url": absolute(reverse("profile")),
        },
    )
    lines = [_subject(headline)]
    for unit, items in groups:
        lines.append(f"【{unit}】" if translation.get_language().startswith("zh") else f"[{unit}]")
        lines += [f"· {item['number']} {item['title']} — {item['due']}" for item in items]
    tail = url
    chat = ""
    for index in range(len(lines), 0, -1):
        shown = lines[:index] if index == len(lines) else [*lines[:index], "…"]
        chat = "\n".join([*shown, tail])
        if len(chat.encode()) <= CHAT_MAX_BYTES:
            break
    return Message(subject=_subject(headline), body=body, chat=chat, url=url)


def news_url(notification: Notification) -> str:
    """Where the reader acts on news: the notice's page, the hazard's, else their notifications."""
    if notification.link:
        return absolute(notification.link)
    if notification.hazard_id is not None:
        return absolute(reverse("hazards:detail", args=[notification.hazard_id]))
    return absolute(reverse("notifications:list"))


def _news_message(notification: Notification) -> Message:
    headline = notification.text
    url = news_url(notification)
    recipient = notification.recipient
    # Translators: an e-mail telling news (e.g. a major hazard reported); name is the reader's.
    body = gettext("%(name)s,\n\n%(headline)s\n\n%(url)s\n") % {
        "name": recipient.get_full_name() or recipient.username,
        "headline": headline,
        "url": url,
    }
    return Message(subject=_subject(headline), body=body, chat="\n".join([_subject(headline), url]), url=url)


def compose(delivery: Delivery) -> Message:
    """The message of a delivery, in its recipient's language."""
    target = delivery.target
    language = ChannelPreference.for_user(target.recipient).language
    with translation.override(language):
        if isinstance(target, Reminder):
            return _reminder_message(target)
        if isinstance(target, Notification):
            return _news_message(target)
        return _digest_message(target)
