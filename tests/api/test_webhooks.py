"""Outbound webhooks: signed, scoped, retried with back-off, every attempt on record."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from hazards import workflow
from tests.factories import HazardFactory, region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
SECRET = "s3cret-shared-with-the-city"


class Receiver:
    """A local system that records what it is sent and answers with the codes it is told to."""

    def __init__(self, answers):
        self.calls: list[tuple[dict, bytes]] = []
        self.answers = list(answers)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append((dict(self.headers), body))
                code = outer.answers.pop(0) if outer.answers else 200
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def make(*answers):
        made.append(Receiver(answers))
        return made[-1]

    yield make
    for each in made:
        each.close()


def _endpoint(url, *, events=("assign",), code=None):
    return WebhookEndpoint.objects.create(
        name="长沙市一张图平台", url=url, secret=SECRET, events=list(events), region=region(code) if code else None
    )


def test_an_assignment_is_posted_signed_and_a_receiver_can_verify_it(receiver, head, rectifier):
    system = receiver(200)
    _endpoint(system.url, code="430100")
    hazard = HazardFactory(
        region=region("430181"), unit=rectifier.organization, industry_id=rectifier.organization.industries.first().pk
    )
    webhooks.plan(hazard=hazard, action="assign", actor=head)
    assert webhooks.send_due() == 1
    headers, body = system.calls[0]
    assert webhooks.verify(SECRET, body, headers["X-Signature"])
    assert not webhooks.verify("another secret", body, headers["X-Signature"])
    # A replay ten minutes later is refused by the receiver's clock check.
    stamp = int(headers["X-Signature"].split(",")[0][2:])
    assert not webhooks.verify(SECRET, body, headers["X-Signature"], now=stamp + 600)
    sent = json.loads(body)
    assert sent["event"] == "assign" and sent["hazard"]["number"] == hazard.number and sent["actor"] == "head"
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SENT


def test_events_outside_the_endpoints_region_or_events_are_not_sent(head):
    _endpoint("http://127.0.0.1:9/", code="430200")  # 株洲市
    _endpoint("http://127.0.0.1:9/", events=("close",))
    hazard = HazardFactory(region=region("430181"))
    assert webhooks.plan(hazard=hazard, action="assign", actor=head) == 0


def test_a_failing_receiver_is_tried_again_later_then_accepted(receiver, head, frozen_today):
    system = receiver(500, 503)
    _endpoint(system.url)
    webhooks.plan(hazard=HazardFactory(), action="assign", actor=head)
    assert webhooks.send_due() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.status == "pending" and delivery.response.startswith("HTTP 500")
    assert webhooks.send_due() == 0  # not due yet: back-off
    frozen_today.shift(timedelta(minutes=2))
    assert webhooks.send_due() == 0
    frozen_today.shift(timedelta(minutes=5))
    assert webhooks.send_due() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.status == "sent" and len(system.calls) == 3


def test_the_workflow_queues_the_event_after_it_commits(receiver, head, rectifier, django_capture_on_commit_callbacks):
    _endpoint("http://127.0.0.1:9/")
    hazard = HazardFactory(region=region("430181"), industry_id=rectifier.organization.industries.first().pk)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(
            actor=head,
            hazard_id=hazard.pk,
            deadline=timezone.localdate() + timedelta(days=20),
            rectifying_unit=rectifier.organization,
            measures="",
            chain=None,
            version=hazard.version,
        )
    assert WebhookDelivery.objects.filter(hazard=hazard, event="assign").count() == 1
