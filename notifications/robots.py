"""Chat robots (WeCom 企业微信 and DingTalk 钉钉 group robots): their limits, their markdown, their signature.

- **Rate limit.** Both vendors accept 20 messages a minute per robot (DingTalk then blocks the robot
  for 10 minutes). `reserve` takes one slot of a robot's sliding 60-second window under a row lock
  (`RobotWindow`, shared by every worker); what finds no slot waits for the next one.
- **Merge.** The deliveries due for one robot at once become one markdown message per language
  (title, counts, one line per item with its link), cut into several when the vendor's size limit
  (WeCom 4096 bytes, DingTalk 20000) or ROBOT_MERGE_MAX_ITEMS asks for it: `compose`.
- **Signing.** A DingTalk robot secured by 加签 wants `timestamp` (ms) and `sign` =
  urlencode(base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}"))) in its address: `signed_address`.
- **Too many requests.** WeCom's 45009, DingTalk's 130101 and 410100 (and an HTTP 429) close the
  robot's window (`close`); the deliveries wait for it without spending an attempt.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts.models import Organization
from notifications.messages import absolute, due_phrase, news_url
from notifications.models import ChannelPreference, Delivery, Notification, Reminder, RobotWindow

Vendor = Organization.RobotVendor

WINDOW = timedelta(seconds=60)
# Markdown content limits in bytes of UTF-8 (WeCom: 4096; DingTalk: 20000).
MAX_BYTES: dict[str, int] = {Vendor.WECOM: 4096, Vendor.DINGTALK: 20000}
# Room kept for a message's title, counts and @ line, whatever its items.
HEADER_BYTES = 700
# "Too many requests": WeCom 45009 (api freq out of limit), DingTalk 130101 (send too fast) and
# 410100 (限流); the value is how long the robot stays closed (None: DingTalk's block setting).
RATE_LIMIT_CODES: dict[int, int | None] = {45009: 60, 130101: None, 410100: None}

OVERDUE_STAGES = (Reminder.Stage.OVERDUE, Reminder.Stage.ESCALATION)
# Characters markdown or WeCom's <font> would read as syntax: their full-width twins read the same.
FULL_WIDTH = str.maketrans(dict(zip("<>[]*#\n", "＜＞［］＊＃ ", strict=True)))


def vendor_of(organization: Organization | None, address: str) -> str:
    """The robot's vendor: the organisation's choice, else told from the address (DingTalk's host, else WeCom)."""
    if organization is not None and organization.robot_vendor:
        return organization.robot_vendor
    host = urlsplit(address).hostname or ""
    return Vendor.DINGTALK if host == "dingtalk.com" or host.endswith(".dingtalk.com") else Vendor.WECOM


def closed_for(code: int) -> timedelta:
    """How long a robot that answered this "too many requests" code stays closed."""
    seconds = RATE_LIMIT_CODES.get(code, 60)  # an HTTP 429: the next minute
    return timedelta(seconds=settings.ROBOT_DINGTALK_BLOCK_SECONDS if seconds is None else seconds)


# --- Signing (DingTalk 加签) -----------------------------------------------------------------------


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(key=secret, message="{timestamp}\\n{secret}")), not yet URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_address(address: str, *, secret: str, now: datetime) -> str:
    """The robot's address with `timestamp` and `sign` added when it has a secret (urlencode does the URL-encoding)."""
    if not secret:
        return address
    timestamp_ms = int(now.timestamp() * 1000)
    separator = "&" if urlsplit(address).query else "?"
    return f"{address}{separator}{urlencode({'timestamp': timestamp_ms, 'sign': sign(secret, timestamp_ms)})}"


# --- The window ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One reserved send (`at` is what the window recorded), or, when `at` is None, when to come back."""

    at: float | None
    next_free_at: datetime | None = None


def _window(address: str) -> RobotWindow:
    RobotWindow.objects.get_or_create(address=address)
    return RobotWindow.objects.select_for_update().get(address=address)


def reserve(address: str, *, now: datetime) -> Slot:
    """Take one slot of the robot's last 60 seconds if one is free, under a row lock; else say when one frees.

    The slot is recorded at `now` plus the request's timeout, the latest the message can arrive,
    and `settle` moves it back to when the answer came: a robot counting arrivals never sees more
    than the limit in any 60 seconds, whoever sends and however slow the call.
    """
    limit = settings.ROBOT_MESSAGES_PER_MINUTE
    with transaction.atomic():
        window = _window(address)
        if window.closed_until is not None and window.closed_until > now:
            return Slot(at=None, next_free_at=window.closed_until)
        start = (now - WINDOW).timestamp()
        recent = sorted(moment for moment in window.recent_sends if moment > start)
        if len(recent) >= limit:
            # The slot of the oldest send in the window frees 60 seconds after it.
            frees = recent[len(recent) - limit] + WINDOW.total_seconds()
            window.recent_sends = recent
            window.save(update_fields=["recent_sends"])
            return Slot(at=None, next_free_at=datetime.fromtimestamp(frees, tz=now.tzinfo) + timedelta(milliseconds=1))
        at = now.timestamp() + settings.WEBHOOK_TIMEOUT_SECONDS
        window.recent_sends = [*recent, at]
        window.save(update_fields=["recent_sends"])
        return Slot(at=at)


def settle(address: str, slot: Slot, *, answered_at: datetime) -> None:
    """Record the reserved send at the time the robot answered (it arrived by then)."""
    with transaction.atomic():
        window = _window(address)
        sends = list(window.recent_sends)
        if slot.at is not None and slot.at in sends:
            sends[sends.index(slot.at)] = min(slot.at, answered_at.timestamp())
            window.recent_sends = sends
            window.save(update_fields=["recent_sends"])


def close(address: str, *, until: datetime) -> datetime:
    """The robot said "too many requests": nothing goes to it before `until` (or a later closing)."""
    with transaction.atomic():
        window = _window(address)
        if window.closed_until is None or window.closed_until < until:
            window.closed_until = until
            window.save(update_fields=["closed_until"])
        return window.closed_until


# --- The merged markdown message ---------------------------------------------------------------


@dataclass
class Item:
    delivery_id: int
    line: str  # one markdown line, in the reader's language
    overdue: bool
    mobiles: list[str] = field(default_factory=list)
    news: bool = False  # an event (a major hazard reported), not a reminder

    @property
    def size(self) -> int:
        return len(self.line.encode()) + 1 + sum(len(mobile) + 2 for mobile in self.mobiles)


@dataclass(frozen=True)
class Part:
    """One message to post: the vendor's JSON and the deliveries it carries."""

    payload: dict
    delivery_ids: list[int]


def _plain(text: str) -> str:
    return text.translate(FULL_WIDTH)


def _colour(vendor: str, colour: str, text: str) -> str:
    # Only WeCom's markdown has colours (warning: orange-red, info: green, comment: grey); DingTalk's has bold.
    if vendor == Vendor.WECOM:
        return f'<font color="{colour}">{text}</font>'
    return f"**{text}**" if colour == "warning" else text


def _mobiles(delivery: Delivery) -> list[str]:
    """The mobiles of the people of the robot's organisation this rung reminds (the responsible ones)."""
    reminder = delivery.reminder
    news = delivery.notification
    if news is not None:
        if news.hazard is None:
            return [news.recipient.phone.strip()] if news.recipient.phone.strip() else []
        phones = Notification.objects.filter(
            hazard=news.hazard,
            action=news.action,
            recipient__organization=delivery.organization,
            recipient__is_active=True,
        ).values_list("recipient__phone", flat=True)
        return sorted({phone.strip() for phone in phones if phone and phone.strip()})
    if reminder is None:
        return [delivery.digest.recipient.phone] if delivery.digest and delivery.digest.recipient.phone else []
    phones = Reminder.objects.filter(
        hazard=reminder.hazard,
        stage=reminder.stage,
        deadline=reminder.deadline,
        sequence=reminder.sequence,
        recipient__organization=delivery.organization,
        recipient__is_active=True,
    ).values_list("recipient__phone", flat=True)
    return sorted({phone.strip() for phone in phones if phone and phone.strip()})


def _item(delivery: Delivery, vendor: str, *, mentions: bool) -> Item:
    mobiles = _mobiles(delivery) if mentions else []
    reminder = delivery.reminder
    news = delivery.notification
    if news is not None:
        url = news_url(news)
        if news.hazard is None:
            return Item(delivery.pk, f"- [{_plain(news.text)}]({url})", overdue=False, mobiles=mobiles, news=True)
        hazard = news.hazard
        label = gettext("Major hazard reported") if hazard.is_major else news.get_action_display()
        line = f"- {_colour(vendor, 'warning', label)} [{hazard.number}]({url}) {_plain(hazard.title)}"
        return Item(delivery.pk, line, overdue=False, mobiles=mobiles, news=True)
    if reminder is None:
        digest = delivery.digest
        assert digest is not None  # the check constraint: a reminder, a digest or news
        url = absolute(reverse("notifications:digest", args=[digest.pk]))
        line = f"- [{_plain(digest.headline())}]({url})"
        return Item(delivery.pk, line, overdue=digest.overdue_count > 0, mobiles=mobiles)
    hazard = reminder.hazard
    url = absolute(reverse("hazards:detail", args=[hazard.pk]))
    overdue = reminder.stage in OVERDUE_STAGES
    due = due_phrase((reminder.deadline - reminder.due_on).days)
    if reminder.stage == Reminder.Stage.ESCALATION:
        # Translators: a chat message line, e.g. "Escalated, 12 days overdue".
        due = gettext("Escalated, %(due)s") % {"due": due}
    unit = hazard.rectifying_unit.name if hazard.rectifying_unit is not None else hazard.place
    colour = "warning" if overdue else "info"
    line = f"- {_colour(vendor, colour, due)} [{hazard.number}]({url}) {_plain(hazard.title)} {_colour(vendor, 'comment', '· ' + _plain(unit))}"
    return Item(delivery.pk, line, overdue=overdue, mobiles=mobiles)


def _header(items: list[Item], *, index: int, parts: int) -> tuple[str, str]:
    """The message's title (DingTalk's preview) and its first lines; the product's name first (keyword robots)."""
    news = sum(item.news for item in items)
    count = len(items) - news
    overdue = sum(item.overdue for item in items)
    if news:
        # Translators: the title of a chat robot's message of news, e.g. "[Hunan Safety] 2 notices".
        title = ngettext("[Hunan Safety] %(count)d notice", "[Hunan Safety] %(count)d notices", len(items)) % {
            "count": len(items)
        }
    else:
        # Translators: the title of a chat robot's merged message, e.g. "[Hunan Safety] 3 reminders".
        title = ngettext("[Hunan Safety] %(count)d reminder", "[Hunan Safety] %(count)d reminders", count) % {
            "count": count
        }
    if parts > 1:
        # Translators: a long chat message cut into several, e.g. "(part 2 of 3)".
        title = f"{title} " + gettext("(part %(index)d of %(parts)d)") % {"index": index, "parts": parts}
    # Translators: the counts under a chat message's title.
    counts = gettext("%(overdue)d overdue, %(due)d due soon or today") % {"overdue": overdue, "due": count - overdue}
    if news:
        # Translators: the counts of a chat message of news; reminders are counted after it.
        headline = ngettext("%(news)d event", "%(news)d events", news) % {"news": news}
        counts = f"{headline}; {counts}" if count else headline
    return title, counts


def _pack(items: list[Item], vendor: str) -> list[list[Item]]:
    """Items in order, cut into messages that fit the vendor's size and the merge's item limit."""
    budget = MAX_BYTES[vendor] - HEADER_BYTES
    packs: list[list[Item]] = [[]]
    used = 0
    for item in items:
        if packs[-1] and (used + item.size > budget or len(packs[-1]) >= settings.ROBOT_MERGE_MAX_ITEMS):
            packs.append([])
            used = 0
        packs[-1].append(item)
        used += item.size
    return packs


def _payload(vendor: str, items: list[Item], *, index: int, parts: int) -> dict:
    title, counts = _header(items, index=index, parts=parts)
    lines = [item.line for item in items]
    mobiles = sorted({mobile for item in items for mobile in item.mobiles})
    if vendor == Vendor.WECOM:
        # WeCom's markdown @s only by WeCom user id (<@userid>), which the product does not know: no mobiles here.
        content = "\n".join([f"**{title}**", _colour(vendor, "comment", counts), *lines])
        return {"msgtype": "markdown", "markdown": {"content": content}}
    # DingTalk @s a mobile when it is listed in atMobiles and written as @mobile in the text.
    text = "\n".join([f"### {title}", counts, "", *lines, *([" ".join(f"@{m}" for m in mobiles)] if mobiles else [])])
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": text},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


def _language(delivery: Delivery) -> str:
    return ChannelPreference.for_user(delivery.target.recipient).language


def compose(deliveries: list[Delivery], *, vendor: str, mentions: bool) -> list[Part]:
    """The messages carrying these deliveries to one robot: one per language, cut to the vendor's limits."""
    parts: list[Part] = []
    by_language = sorted(deliveries, key=lambda delivery: (_language(delivery), delivery.next_attempt_at, delivery.pk))
    for language, group in groupby(by_language, key=_language):
        with translation.override(language):
            # Overdue first: what is late matters most when a long merge is cut.
            items = sorted(
                (_item(delivery, vendor, mentions=mentions) for delivery in group), key=lambda i: not i.overdue
            )
            packs = _pack(items, vendor)
            for index, pack in enumerate(packs, start=1):
                parts.append(
                    Part(
                        payload=_payload(vendor, pack, index=index, parts=len(packs)),
                        delivery_ids=[item.delivery_id for item in pack],
                    )
                )
    return parts
