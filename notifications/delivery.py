"""Delivering reminders and digests, exactly once per channel, whatever crashes or runs twice.

1. `plan_deliveries` claims the reminders and digests nobody has planned (a conditional UPDATE: a
   second planner finds nothing left) and, in the same transaction, delivers the in-app channel
   there and then, with no outbox row (a digest's notification is written; a claimed reminder is in
   its recipient's bell, its notification written when they open the list) and one pending
   `Delivery` row per other channel the recipient wants: one INSERT … SELECT per kind of row, done
   by the database (a scan plans hundreds of thousands). `plan_claimed` does the same for the rows
   a scan's batch has just inserted already claimed, by their ids.
2. The pending rows are an outbox: `relay_deliveries` hands the due ones (new, due for a retry, or
   left by a worker that died) to the `deliver` task after commit. If the broker is down it logs and
   leaves them for the next relay or scan. Web requests never talk to the broker.
3. `deliver` claims one row with a conditional UPDATE before sending, so two tasks for the same row
   send it once; a failed attempt waits with exponential back-off, up to DELIVERY_MAX_ATTEMPTS.

A worker that dies between sending and recording leaves the row `sending`; after
DELIVERY_LEASE_SECONDS it is handed out again (at-least-once in that one window; the webhook carries
the delivery id in a header for receivers that drop repeats).
"""

import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.models import Organization, User
from hazards.models import OPEN_WORK_STATES, Hazard
from hunan_safety.celery import app
from notifications import channels, robots, sql
from notifications.messages import compose
from notifications.models import ChannelPreference, Delivery, Digest, Notification, Reminder

logger = logging.getLogger(__name__)

Status = Delivery.Status
Channel = Delivery.Channel

PLAN_BATCH = 500
RELAY_LIMIT = 5000
# Delivery ids per task: small enough to finish well within the task's time limit.
TASK_CHUNK = 10
# The outbox publishes the task by its name, the stable interface of a task: tasks.py wraps this
# module, so importing it here would make the two import each other.
DELIVER_TASK_NAME = "notifications.deliver"


def _lease() -> timedelta:
    return timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


# --- 1. Planning ------------------------------------------------------------------------------


def plan_deliveries(*, batch_size: int = PLAN_BATCH) -> int:
    """Plan every reminder and digest nobody planned yet; return how many this call planned."""
    planned = 0
    for model in (Reminder, Digest):
        while (count := _plan_batch(model, batch_size)) is not None:
            planned += count
    return planned


def plan_claimed(model: type[Reminder] | type[Digest], ids: list[int], token: uuid.UUID, now: datetime) -> None:
    """Write the deliveries of these rows, claimed with `token` at `now` (a scan's batch, inserted
    already claimed in the caller's transaction: the ids its INSERT returned)."""
    if ids:
        with connection.cursor() as cursor:
            _plan_claimed(cursor, model, ids, token, now)


def _plan_batch(model: type[Reminder] | type[Digest], batch_size: int) -> int | None:
    """Claim up to `batch_size` unplanned rows and write their deliveries; None when none are left."""
    unplanned = model.objects.filter(claimed_at__isnull=True).order_by("pk")
    ids = list(unplanned.values_list("pk", flat=True)[:batch_size])
    if not ids:
        return None
    token, now = uuid.uuid4(), timezone.now()
    chosen, param = sql.id_in("id", ids)
    claim = sql.value(model._meta.get_field("claimed_by"), token)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET claimed_by = %s, claimed_at = %s"
            f" WHERE {chosen} AND claimed_at IS NULL RETURNING id",
            [claim, sql.value(model._meta.get_field("claimed_at"), now), param],
        )
        claimed = [pk for (pk,) in cursor.fetchall()]
        if claimed:
            _plan_claimed(cursor, model, claimed, token, now)
    return len(claimed)  # 0: another planner got there first


def _plan_claimed(
    cursor: Any, model: type[Reminder] | type[Digest], ids: list[int], token: uuid.UUID, now: datetime
) -> None:
    """For these rows, claimed with `token`, in the database: the in-app channel (a digest's notification;
    a reminder is in the bell by being claimed: no delivery row is written for either) and a
    pending delivery per other channel the recipient wants — e-mail when they have an address,
    their organisation's chat webhook when it has one and is active. Without a saved choice,
    ChannelPreference's defaults: both on.
    """
    is_reminder = model is Reminder
    own, other = ("reminder_id", "digest_id") if is_reminder else ("digest_id", "reminder_id")
    if is_reminder:
        # One chat message per rung and organisation (delivery_one_chat_message_per_organization).
        topic = (
            "'reminder:' || planned.hazard_id || ':' || planned.stage || ':' || CAST(planned.deadline AS text)"
            " || ':' || planned.sequence"
        )
    else:
        topic = "'digest:' || planned.recipient_id || ':' || CAST(planned.day AS text)"
    rows = f"{model._meta.db_table} planned"
    # The rows are the ones claimed with the token; their range of ids lets the primary key find
    # them (a token is claimed by one planner once: an index on it would be written for every row).
    chosen = "planned.id BETWEEN %s AND %s AND planned.claimed_by = %s"
    claimed = [min(ids), max(ids), sql.value(model._meta.get_field("claimed_by"), token)]
    moment = sql.value(Delivery._meta.get_field("created_at"), now)
    recipient = f"""
        JOIN {User._meta.db_table} person ON person.id = planned.recipient_id
        LEFT JOIN {ChannelPreference._meta.db_table} choice ON choice.user_id = person.id
    """
    if not is_reminder:
        # A plain INSERT: the rows were claimed in this transaction, so none has its notification yet
        # (the one-to-one key still says so). ON CONFLICT would probe every unique index before each row.
        # A reminder has none here: claimed, it is in its recipient's bell, and its notification is
        # written when they open their notifications (services.notice_reminders).
        cursor.execute(
            f"""
            INSERT INTO {Notification._meta.db_table}
                (recipient_id, actor_id, hazard_id, kind, action, digest_id, reminder_id, note, created_at, read_at)
            SELECT planned.recipient_id, NULL, NULL, %s, '', planned.id, NULL, '', %s, NULL
            FROM {rows} WHERE {chosen}
            """,
            [Notification.Kind.DIGEST, moment, *claimed],
        )
    columns = (
        f"({own}, {other}, channel, status, organization_id, topic, address, attempts, last_error, response,"
        " created_at, next_attempt_at, queued_at, claimed_at, sent_at)"
    )
    # One statement per channel: NULLs in an INSERT … SELECT take the column's type (in a UNION they would not).
    # ON CONFLICT DO NOTHING: the second chat message of a rung to the same organisation is dropped.
    per_channel = [
        (
            f"""SELECT planned.id, NULL, %s, %s, NULL, '', person.email, 0, '', '', %s, %s, NULL, NULL, NULL
            FROM {rows} {recipient}
            WHERE {chosen} AND (choice.email IS NULL OR choice.email)
              AND COALESCE(person.email, '') <> ''""",
            [Channel.EMAIL, Status.PENDING, moment, moment, *claimed],
        ),
        (
            f"""SELECT planned.id, NULL, %s, %s, body.id, {topic}, body.webhook_url, 0, '', '', %s, %s, NULL, NULL, NULL
            FROM {rows} {recipient}
            JOIN {Organization._meta.db_table} body ON body.id = person.organization_id
            WHERE {chosen} AND (choice.webhook IS NULL OR choice.webhook)
              AND COALESCE(body.webhook_url, '') <> '' AND body.is_active""",
            [Channel.WEBHOOK, Status.PENDING, moment, moment, *claimed],
        ),
    ]
    for select, params in per_channel:
        cursor.execute(f"INSERT INTO {Delivery._meta.db_table} {columns} {select} ON CONFLICT DO NOTHING", params)


# --- 2. Relaying the outbox to the workers ------------------------------------------------------


def _due(now: datetime) -> Q:
    """Rows to hand to a worker: due and not queued recently, or claimed by a worker long gone."""
    stale = now - _lease()
    not_queued_recently = Q(queued_at__isnull=True) | Q(queued_at__lt=stale)
    waiting = Q(status__in=[Status.PENDING, Status.RETRYING], next_attempt_at__lte=now)
    abandoned = Q(status=Status.SENDING, claimed_at__lt=stale)
    return (waiting | abandoned) & not_queued_recently


def relay_deliveries(*, now: datetime | None = None, limit: int = RELAY_LIMIT) -> int:
    """Queue the e-mail and webhook deliveries that are due, after commit; return how many were handed out."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(_due(now))
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(queued_at=now)
            transaction.on_commit(lambda: enqueue(ids))
    return len(ids)


def enqueue(delivery_ids: list[int]) -> int:
    """Publish deliver tasks; on a broker failure log it and leave the rest for the next relay."""
    queued = 0
    for start in range(0, len(delivery_ids), TASK_CHUNK):
        chunk = delivery_ids[start : start + TASK_CHUNK]
        try:
            # No publish retries: the outbox row is the retry, and a dead broker must not stall us.
            app.signature(DELIVER_TASK_NAME, args=[chunk]).apply_async(retry=False)
        except Exception:  # noqa: BLE001 - kombu, redis and socket errors alike mean "broker unavailable"
            remaining = delivery_ids[start:]
            logger.warning(
                "Broker unavailable: %d deliveries stay queued in the database for the next relay or scan",
                len(remaining),
                exc_info=True,
            )
            Delivery.objects.filter(pk__in=remaining).update(queued_at=None)
            break
        queued += len(chunk)
    return queued


# --- 3. Sending one ---------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: DELIVERY_RETRY_SECONDS, doubling, at most an hour."""
    return timedelta(seconds=min(settings.DELIVERY_RETRY_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def _claimable(now: datetime) -> Q:
    """Due and waiting, or claimed by a worker long gone."""
    return Q(status__in=[Status.PENDING, Status.RETRYING], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - _lease()
    )


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(
        Delivery.objects.filter(_claimable(now), pk=delivery_id)
        .exclude(channel=Channel.IN_APP)
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _no_longer_due(delivery: Delivery) -> str:
    """Why the message should not go out any more (re-checked at sending time), or ""."""
    target = delivery.target
    if not target.recipient.is_active:
        return "the recipient is deactivated"
    if isinstance(target, Reminder):
        hazard = target.hazard
        if hazard.state not in OPEN_WORK_STATES:
            return f"the hazard is now {hazard.state}"
        if hazard.deadline != target.deadline:
            return "the deadline has changed since"
        # People move: a reminder goes only to someone who may still see the hazard (the one rule).
        if not Hazard.objects.visible_to(target.recipient).filter(pk=hazard.pk).exists():
            return "the recipient can no longer see the hazard"
    news_hazard = target.hazard_id if isinstance(target, Notification) else None
    if news_hazard is not None and not Hazard.objects.visible_to(target.recipient).filter(pk=news_hazard).exists():
        return "the recipient can no longer see the hazard"
    return ""


DELIVERY_RELATED = (
    "organization",
    "reminder__hazard__rectifying_unit",
    "reminder__hazard__unit",
    "reminder__recipient__channel_preference",
    "reminder__recipient__organization__region",
    "reminder__recipient__region",
    "digest__recipient__channel_preference",
    "notification__hazard",
    "notification__actor",
    "notification__recipient__channel_preference",
)
# Deliveries one call takes for a robot: more than a minute's worth of merged messages.
ROBOT_BATCH = 1000
# How long one call keeps sending to a robot (the deliver task's soft time limit is 150 s).
ROBOT_SEND_SECONDS = 60


def deliver(delivery_id: int) -> str:
    """Send one e-mail or webhook delivery if it is due and nobody else holds it; return its new status.

    A webhook delivery takes along the others due for the same robot (one merged message, within
    the robot's rate limit: `_deliver_to_robot`). Returns "skipped" when there is nothing to do:
    already sent or failed, not yet due for a retry, or claimed by another worker; "waiting" when
    the robot's window is full and the delivery waits for the next one.
    """
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related(*DELIVERY_RELATED).get(pk=delivery_id)
    if delivery.channel == Channel.WEBHOOK:
        return _deliver_to_robot(delivery, claimed_at=now)
    reason = _no_longer_due(delivery)
    if reason:
        return _finish(delivery, claimed_at=now, status=Status.CANCELLED, last_error=reason)
    try:
        response = channels.send(delivery, compose(delivery))
    except Exception as error:  # noqa: BLE001 - sorted into permanent and transient by _failed
        return _failed(delivery, error, claimed_at=now)
    return _finish(
        delivery, claimed_at=now, status=Status.SENT, sent_at=timezone.now(), response=response, last_error=""
    )


def _failed(delivery: Delivery, error: Exception, *, claimed_at: datetime) -> str:
    """Record a failed attempt: failed for good, or retrying after the back-off while attempts remain."""
    if isinstance(error, channels.PermanentFailure):
        return _finish(
            delivery, claimed_at=claimed_at, status=Status.FAILED, last_error=str(error), response=error.response
        )
    if not isinstance(error, channels.TransientFailure):  # a timeout, a 5xx or a bug: all worth another attempt
        logger.exception("Delivery %s failed unexpectedly", delivery.pk, exc_info=error)
    fields = {"last_error": f"{error}"[:2000] or type(error).__name__, "response": getattr(error, "response", "")}
    if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        return _finish(delivery, claimed_at=claimed_at, status=Status.FAILED, **fields)
    return _finish(
        delivery,
        claimed_at=claimed_at,
        status=Status.RETRYING,
        next_attempt_at=timezone.now() + backoff(delivery.attempts),
        queued_at=None,
        **fields,
    )


def _deliver_to_robot(delivery: Delivery, *, claimed_at: datetime) -> str:
    """Send this webhook delivery with the others due for the same robot, merged, within its rate limit.

    Every delivery carried by a message is claimed first (a conditional UPDATE, as for one), so it
    is sent once, and is marked sent with the message's one response. A message that finds no free
    slot, or that the robot refuses as "too many requests", puts its deliveries back to wait for
    the robot's next window, their attempt not counted.
    """
    address = delivery.address
    # The others due for this robot, locked while we claim them (SKIP LOCKED: another worker's are
    # passed over), so that the ids claimed are known to be ours: claimed_at alone could be shared.
    with transaction.atomic():
        others = list(
            Delivery.objects.filter(_claimable(claimed_at), channel=Channel.WEBHOOK, address=address)
            .exclude(pk=delivery.pk)
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[: ROBOT_BATCH - 1]
        )
        if others:
            Delivery.objects.filter(pk__in=others).update(
                status=Status.SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1
            )
    claimed = [delivery, *Delivery.objects.select_related(*DELIVERY_RELATED).filter(pk__in=others).order_by("pk")]
    statuses: dict[int, str] = {}
    sendable = []
    for each in claimed:
        reason = _no_longer_due(each)
        if reason:
            statuses[each.pk] = _finish(each, claimed_at=claimed_at, status=Status.CANCELLED, last_error=reason)
        else:
            sendable.append(each)
    organization = delivery.organization
    vendor = robots.vendor_of(organization, address)
    mentions = bool(organization and organization.robot_mentions)
    secret = organization.robot_secret if organization is not None else ""
    by_id = {each.pk: each for each in sendable}
    try:
        parts = robots.compose(sendable, vendor=vendor, mentions=mentions)
    except Exception as error:  # noqa: BLE001 - a bug in composing: each delivery counts a failed attempt
        statuses.update({each.pk: _failed(each, error, claimed_at=claimed_at) for each in sendable})
        parts = []
    # Well within the task's time limit, whatever the robot's answers take: the rest waits for the next relay.
    give_up_at = time.monotonic() + ROBOT_SEND_SECONDS
    for index, part in enumerate(parts):
        carried = [by_id[pk] for pk in part.delivery_ids]
        rest = [by_id[pk] for later in parts[index + 1 :] for pk in later.delivery_ids]
        slot = robots.reserve(address, now=timezone.now()) if time.monotonic() < give_up_at else None
        if slot is None or slot.at is None:
            until = slot.next_free_at if slot is not None and slot.next_free_at is not None else timezone.now()
            statuses.update(_wait(carried + rest, claimed_at, until=until))
            break
        try:
            response = channels.post_robot(
                url=robots.signed_address(address, secret=secret, now=timezone.now()),
                payload=part.payload,
                delivery_ids=part.delivery_ids,
                rate_limit_codes=robots.RATE_LIMIT_CODES,
            )
        except channels.RobotBusy as error:
            until = robots.close(address, until=timezone.now() + robots.closed_for(error.code))
            statuses.update(_wait(carried, claimed_at, until=until, refused=error))
            statuses.update(_wait(rest, claimed_at, until=until))
            break
        except Exception as error:  # noqa: BLE001 - sorted into permanent and transient by _failed
            robots.settle(address, slot, answered_at=timezone.now())
            statuses.update({each.pk: _failed(each, error, claimed_at=claimed_at) for each in carried})
            # A robot that fails one message would fail the next: the rest waits out the first back-off, unspent.
            statuses.update(_wait(rest, claimed_at, until=timezone.now() + backoff(1)))
            break
        robots.settle(address, slot, answered_at=timezone.now())
        Delivery.objects.filter(pk__in=part.delivery_ids, claimed_at=claimed_at).update(
            status=Status.SENT, sent_at=timezone.now(), response=response, last_error=""
        )
        statuses.update(dict.fromkeys(part.delivery_ids, Status.SENT))
    return statuses.get(delivery.pk, "skipped")


def _wait(
    deliveries: list[Delivery], claimed_at: datetime, *, until: datetime, refused: Exception | None = None
) -> dict[int, str]:
    """Put claimed deliveries back until the robot's window reopens, giving back the attempt they took."""
    fields: dict[str, Any] = {"last_error": f"{refused}"[:2000], "response": getattr(refused, "response", "")}
    Delivery.objects.filter(pk__in=[each.pk for each in deliveries], claimed_at=claimed_at).update(
        # Never tried before: still pending; refused by the robot or tried before: waiting to retry.
        status=Status.RETRYING
        if refused
        else Case(When(attempts__lte=1, then=Value(Status.PENDING)), default=Value(Status.RETRYING)),
        attempts=F("attempts") - 1,
        next_attempt_at=until,
        queued_at=None,
        **(fields if refused else {}),
    )
    if refused:
        return dict.fromkeys((each.pk for each in deliveries), Status.RETRYING)
    return dict.fromkeys((each.pk for each in deliveries), "waiting")


def _finish(delivery: Delivery, *, claimed_at: datetime, status: str, **fields: Any) -> str:
    # Only while the claim is still ours: after the lease another worker may have taken the row over.
    Delivery.objects.filter(pk=delivery.pk, claimed_at=claimed_at).update(status=status, **fields)
    return status


def retry(delivery_ids: Iterable[int]) -> int:
    """Give failed or cancelled deliveries another round (the admin's action); the next relay sends them."""
    return (
        Delivery.objects.filter(pk__in=delivery_ids, status__in=[Status.FAILED, Status.CANCELLED])
        .exclude(channel=Channel.IN_APP)
        .update(status=Status.PENDING, next_attempt_at=timezone.now(), queued_at=None, claimed_at=None)
    )


def send_due(*, now: datetime | None = None, limit: int = RELAY_LIMIT) -> dict[str, int]:
    """Send the due e-mail and webhook deliveries in this process, without a worker (remind_overdue --send)."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for delivery_id in ids:
        status = deliver(delivery_id)
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


# --- 4. News of events ------------------------------------------------------------------------


def is_news(hazard: Hazard | None, action: str) -> bool:
    """Whether an event goes out on the people's channels too, not only in-app: a major hazard reported (issue 13.9)."""
    return hazard is not None and hazard.is_major and action == Notification.Action.REPORT


def plan_news(notification_ids: Iterable[int], *, topic: str) -> int:
    """Outbox rows for news already told in-app: e-mail and the organisation's robot, as each recipient chose.

    One chat message per organisation and `topic` (the unique key drops the second); a rerun adds
    nothing (one delivery per notification and channel). The relay sends them with its next round.
    Returns how many rows this call added.
    """
    now = timezone.now()
    deliveries = []
    notification_ids = list(notification_ids)
    planned = Delivery.objects.filter(notification_id__in=notification_ids)
    before = planned.count()
    rows = Notification.objects.filter(pk__in=notification_ids).values(
        "pk",
        "recipient__email",
        "recipient__organization_id",
        "recipient__organization__is_active",
        "recipient__organization__webhook_url",
        "recipient__channel_preference__email",
        "recipient__channel_preference__webhook",
    )
    for row in rows:
        about = {"notification_id": row["pk"], "next_attempt_at": now, "created_at": now}
        # Without a saved choice, the defaults of ChannelPreference: e-mail and webhook on.
        if row["recipient__channel_preference__email"] is not False and row["recipient__email"]:
            deliveries.append(Delivery(channel=Channel.EMAIL, address=row["recipient__email"], **about))
        webhook_url = row["recipient__organization__webhook_url"]
        wants_webhook = row["recipient__channel_preference__webhook"] is not False
        if wants_webhook and webhook_url and row["recipient__organization__is_active"]:
            deliveries.append(
                Delivery(
                    channel=Channel.WEBHOOK,
                    organization_id=row["recipient__organization_id"],
                    address=webhook_url,
                    topic=topic,
                    **about,
                )
            )
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return planned.count() - before
