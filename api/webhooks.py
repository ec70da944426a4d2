"""Outbound webhooks: each workflow event a system subscribed to, POSTed as JSON and signed.

Besides the workflow's events, the deadline scan's: `overdue` (a hazard reached an overdue rung: the
day after its deadline, then every repeat) and `escalated` (it was escalated up the chain). They are
written in bulk, in the scan's transaction, from the reminders it inserted (`on_deadline_reached`),
one per rung and subscribed endpoint whose scope holds the hazard, and sent by the same relay.

Signature: `X-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The receiver
recomputes it over the raw body and refuses a call whose `t` is more than five minutes away from its
clock (a replayed call). Deliveries are rows first (written after the workflow's transaction commits),
sent by the beat's relay with back-off, and kept with their last response for the admin page.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Industry, User
from api.models import WebhookDelivery, WebhookEndpoint
from hazards.models import Hazard
from notifications import sql
from notifications.delivery import backoff
from notifications.models import Reminder

MAX_ATTEMPTS = 8
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, now: int | None = None) -> bool:
    """What a receiving system does (and the tests): the signature matches and is recent."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or int(time.time())) - timestamp) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def _endpoints(action: str) -> list[WebhookEndpoint]:
    """The active endpoints subscribed to this event."""
    endpoints = WebhookEndpoint.objects.filter(is_active=True).select_related("region").prefetch_related("industries")
    return [endpoint for endpoint in endpoints if action in endpoint.events]


# An endpoint's scope: hazards under its region (by code prefix; none: the province) in its
# industries or their children (none: all). `_subscribed` checks one hazard, `_scope_sql` a set.


def _subscribed(hazard: Hazard, action: str) -> list[WebhookEndpoint]:
    chosen = []
    family = {hazard.industry_id, *Industry.objects.filter(pk=hazard.industry_id).values_list("parent_id", flat=True)}
    for endpoint in _endpoints(action):
        if endpoint.region is not None and not hazard.region_id.startswith(endpoint.region.scope_prefix):
            continue
        industries = {industry.pk for industry in endpoint.industries.all()}
        if industries and not industries & family:
            continue
        chosen.append(endpoint)
    return chosen


def _scope_sql(endpoint: WebhookEndpoint, hazard: str, industry: str) -> tuple[str, list]:
    """The endpoint's scope as a condition on the hazard `hazard` and its industry row `industry`."""
    conditions, params = ["TRUE" if sql.postgresql() else "1"], []
    if endpoint.region is not None:
        conditions.append(f"{hazard}.region_id LIKE %s")
        params.append(f"{endpoint.region.scope_prefix}%")
    industries = [industry.pk for industry in endpoint.industries.all()]
    if industries:
        marks, values = sql.placeholders(industries)
        conditions.append(f"({hazard}.industry_id IN ({marks}) OR {industry}.parent_id IN ({marks}))")
        params += [*values, *values]
    return " AND ".join(conditions), params


def body_for(hazard: Hazard, action: str, actor: User | None, at: datetime) -> dict:
    return {
        "event": action,
        "at": at.isoformat(),
        "actor": actor.username if actor else None,
        "hazard": {
            "id": hazard.pk,
            "number": hazard.number,
            "title": hazard.title,
            "state": hazard.state,
            "level": hazard.level,
            "region": hazard.region_id,
            "industry": hazard.industry_id,
            "unit": hazard.unit_id,
            "rectifying_unit": hazard.rectifying_unit_id,
            "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
            "url": f"{settings.SITE_URL}{reverse('api:hazard-detail', args=[hazard.pk])}",
        },
    }


def plan(*, hazard: Hazard, action: str, actor: User | None) -> int:
    """Queue the event for every endpoint subscribed to it whose scope holds the hazard."""
    now = timezone.now()
    rows = [
        WebhookDelivery(endpoint=endpoint, event=action, hazard=hazard, body=body_for(hazard, action, actor, now))
        for endpoint in _subscribed(hazard, action)
    ]
    WebhookDelivery.objects.bulk_create(rows)
    return len(rows)


def on_hazard_changed(sender, *, hazard, actor, action, **kwargs) -> None:
    """Receiver of `hazards.signals.hazard_changed` (sent after the workflow's transaction commits)."""
    plan(hazard=hazard, action=str(action), actor=actor)


# The scan's rungs that are webhook events, and the events' names.
DEADLINE_EVENTS = {Reminder.Stage.OVERDUE: "overdue", Reminder.Stage.ESCALATION: "escalated"}


def plan_deadline_events(reminder_ids: list[int], *, at: datetime | None = None) -> int:
    """Queue `overdue` and `escalated` for the rungs of these new reminders: one per rung (hazard,
    stage, deadline, sequence) and subscribed endpoint whose scope holds the hazard, written by the
    database in one INSERT … SELECT per endpoint; return how many were queued.

    The body is `body_for`'s (no actor: the scan did it) with the rung under "reminder".
    """
    at = at or timezone.now()
    queued = 0
    for event in set(DEADLINE_EVENTS.values()):
        endpoints = _endpoints(event)
        if not endpoints or not reminder_ids:
            continue
        stages = [stage for stage, name in DEADLINE_EVENTS.items() if name == event]
        chosen, ids = sql.id_in("reminder.id", reminder_ids)
        marks, stage_params = sql.placeholders(stages)
        url = f"{settings.SITE_URL}{reverse('api:hazard-detail', args=[0])}"
        head, tail = url.rsplit("/0/", 1)
        hazard_json = sql.json_object(
            {
                "id": "h.id",
                "number": "h.number",
                "title": "h.title",
                "state": "h.state",
                "level": "h.level",
                "region": "h.region_id",
                "industry": "h.industry_id",
                "unit": "h.unit_id",
                "rectifying_unit": "h.rectifying_unit_id",
                "deadline": "CAST(h.deadline AS text)",
                "url": "%s || h.id || %s",
            }
        )
        rung_json = sql.json_object(
            {
                "stage": "rung.stage",
                "sequence": "rung.sequence",
                "deadline": "CAST(rung.deadline AS text)",
                "due_on": "CAST(rung.due_on AS text)",
            }
        )
        body = sql.json_object(
            {"event": "%s", "at": "%s", "actor": "NULL", "hazard": hazard_json, "reminder": rung_json}
        )
        body_params = [event, at.isoformat(), f"{head}/", f"/{tail}"]
        moment = sql.value(WebhookDelivery._meta.get_field("created_at"), at)
        for endpoint in endpoints:
            scope, scope_params = _scope_sql(endpoint, "h", "industry")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    INSERT INTO {WebhookDelivery._meta.db_table}
                        (endpoint_id, event, hazard_id, body, status, attempts, next_attempt_at, response,
                         created_at, sent_at)
                    SELECT %s, %s, h.id, {body}, %s, 0, %s, '', %s, NULL
                    FROM (
                        SELECT DISTINCT reminder.hazard_id, reminder.stage, reminder.deadline, reminder.sequence,
                               reminder.due_on
                        FROM {Reminder._meta.db_table} reminder
                        WHERE {chosen} AND reminder.stage IN ({marks})
                    ) rung
                    JOIN {Hazard._meta.db_table} h ON h.id = rung.hazard_id
                    JOIN {Industry._meta.db_table} industry ON industry.id = h.industry_id
                    WHERE {scope}
                    """,
                    [
                        endpoint.pk,
                        event,
                        *body_params,
                        WebhookDelivery.Status.PENDING,
                        moment,
                        moment,
                        ids,
                        *stage_params,
                        *scope_params,
                    ],
                )
                queued += cursor.rowcount
    return queued


def on_deadline_reached(sender, *, reminder_ids: list[int], **kwargs) -> None:
    """Receiver of `notifications.signals.deadline_reached` (sent in the scan's batch transaction)."""
    plan_deadline_events(reminder_ids)


def _post(delivery: WebhookDelivery) -> tuple[bool, str]:
    body = json.dumps(delivery.body, ensure_ascii=False, sort_keys=True).encode()
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Signature": sign(delivery.endpoint.secret, body, int(time.time())),
            "X-Hunan-Safety-Event": delivery.event,
            "X-Hunan-Safety-Delivery": str(delivery.pk),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            return True, f"HTTP {answer.status}: {answer.read(2000).decode('utf-8', 'replace')}"
    except urllib.error.HTTPError as error:
        return False, f"HTTP {error.code}: {error.read(2000).decode('utf-8', 'replace')}"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return False, f"{type(error).__name__}: {getattr(error, 'reason', error)}"


def send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send the deliveries that are due; a failure waits (doubling) and gives up after MAX_ATTEMPTS."""
    now = now or timezone.now()
    sent = 0
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
    for pk in due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("endpoint")
                .filter(Q(pk=pk), status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
                .first()
            )
            if delivery is None:
                continue
            accepted, response = _post(delivery)
            delivery.attempts += 1
            delivery.response = response[:4000]
            if accepted:
                delivery.status, delivery.sent_at = WebhookDelivery.Status.SENT, timezone.now()
                sent += 1
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.FAILED
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
            delivery.save(update_fields=["attempts", "response", "status", "sent_at", "next_attempt_at"])
    return sent
