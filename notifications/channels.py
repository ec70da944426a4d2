"""Sending one delivery on its channel: e-mail through Django's backend, webhook as a JSON POST.

Reminders and digests reach a chat robot as merged markdown (notifications/robots.py, `post_robot`);
`post_webhook` speaks the text message that WeCom (企业微信) and DingTalk (钉钉) robots alike accept,
{"msgtype": "text", "text": {"content": "<title>\\n<details>\\n<link>"}}, for the other senders.
Each call raises `PermanentFailure` (no point trying again: a 4xx, a refused address) or
`TransientFailure` (a timeout, a 5xx, a robot's error code: try again later), and returns the
response to record when it succeeds.
"""

import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from notifications.messages import Message
from notifications.models import Delivery

RESPONSE_MAX_CHARS = 2000


class DeliveryFailure(Exception):
    """A delivery that did not go through; `response` is what the other side said, if anything."""

    def __init__(self, message: str, response: str = ""):
        super().__init__(message)
        self.response = response


class PermanentFailure(DeliveryFailure):
    pass


class TransientFailure(DeliveryFailure):
    pass


def send_email(*, address: str, message: Message) -> str:
    """Send the message to one address with the configured e-mail backend."""
    email = EmailMessage(subject=message.subject, body=message.body, to=[address])
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentFailure(f"recipient refused: {error.recipients}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientFailure(f"{type(error).__name__}: {error}") from error
    return "accepted by the e-mail backend"


def webhook_payload(message: Message) -> dict:
    """The JSON body of a chat robot's text message."""
    return {"msgtype": "text", "text": {"content": message.chat}}


class RobotBusy(TransientFailure):
    """The robot said "too many requests" (WeCom 45009, DingTalk 130101 or 410100, or HTTP 429): wait, do not count it."""

    def __init__(self, message: str, response: str = "", code: int = 429):
        super().__init__(message, response)
        self.code = code


def _robot_error(body: str) -> tuple[Any, str] | None:
    """The robot's own error code and text, when it answers 200 with a non-zero code (WeCom, DingTalk: errcode)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    code = answer.get("errcode", answer.get("code", 0))
    if code in (0, "0", None):
        return None
    return code, f"robot error {code}: {answer.get('errmsg') or answer.get('msg') or ''}".strip()


def _post_json(*, url: str, payload: dict, delivery_header: str, rate_limit_codes: Collection[int] = ()) -> str:
    """POST JSON; return "HTTP <status>: <body>" when accepted, else raise the failure it is."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            # Lets a receiver that cares drop the rare repeat after a worker died mid-request.
            "X-Hunan-Safety-Delivery": delivery_header,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as answer:
            status = answer.status
            body = answer.read(RESPONSE_MAX_CHARS * 4).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        body = error.read(RESPONSE_MAX_CHARS * 4).decode("utf-8", "replace")
        response = f"HTTP {error.code}: {body}"[:RESPONSE_MAX_CHARS]
        if error.code == 429 and rate_limit_codes:
            raise RobotBusy(f"HTTP {error.code}", response) from error
        # A client error will not heal by itself, except a timeout or too many requests.
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise PermanentFailure(f"HTTP {error.code}", response) from error
        raise TransientFailure(f"HTTP {error.code}", response) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise TransientFailure(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from error
    response = f"HTTP {status}: {body}"[:RESPONSE_MAX_CHARS]
    robot_error = _robot_error(body)
    if robot_error:
        code, text = robot_error
        try:
            numeric = int(code)
        except (TypeError, ValueError):
            numeric = None
        if numeric is not None and numeric in rate_limit_codes:
            raise RobotBusy(text, response, code=numeric)
        raise TransientFailure(text, response)
    return response


def post_webhook(*, url: str, message: Message, delivery_id: int) -> str:
    """POST the message as a chat robot's text; return "HTTP <status>: <body>" when the robot accepted it."""
    return _post_json(url=url, payload=webhook_payload(message), delivery_header=str(delivery_id))


def post_robot(*, url: str, payload: dict, delivery_ids: list[int], rate_limit_codes: Collection[int]) -> str:
    """POST a robot's markdown message carrying these deliveries; `RobotBusy` when it says "too many requests"."""
    return _post_json(
        url=url,
        payload=payload,
        delivery_header=",".join(str(delivery_id) for delivery_id in delivery_ids),
        rate_limit_codes=rate_limit_codes,
    )


def send(delivery: Delivery, message: Message) -> str:
    """Send an e-mail or webhook delivery; return the response to record."""
    if delivery.channel == delivery.Channel.EMAIL:
        return send_email(address=delivery.address, message=message)
    if delivery.channel == delivery.Channel.WEBHOOK:
        return post_webhook(url=delivery.address, message=message, delivery_id=delivery.pk)
    raise PermanentFailure(f"nothing to send on channel {delivery.channel!r}")
