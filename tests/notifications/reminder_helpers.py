"""Shared helpers of the reminder tests: the people of a hazard's ladder, a chat robot, a broker that never answers.

The scene: a fireworks-production hazard in 浏阳市 (430181) at the rectifier's works, assigned by the
长沙市 head with a responsibility chain naming, layer by layer, the works' general manager
(enterprise), the chief of the 浏阳 department (department), the vice mayor in charge of safety and
the party secretary (territorial) and the vice mayor whose portfolio holds fireworks (leadership).
"""

import json
import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from kombu import pools

from accounts.models import Organization, Post, User
from accounts.roles import Role
from hazards import workflow
from hazards.models import Hazard
from hazards.responsibility import ChainEntry
from hunan_safety.celery import app
from notifications.models import Reminder
from notifications.services import notice_reminders
from tests.factories import OrganizationFactory, PostFactory, UserFactory, region
from tests.hazards.workflow_helpers import in_days, report

LIUYANG = "430181"


@dataclass
class Scene:
    inspector: User
    head: User
    rectifier: User
    colleague: User  # another member of the unit, with the rectifying-unit role
    clerk: User  # a member of the unit without that role: never reminded
    manager: User  # enterprise layer
    chief: User  # department layer
    county_head: User  # a department head of the supervising department
    vice_mayor: User  # territorial
    secretary: User  # territorial (党政同责)
    portfolio_leader: User  # leadership (一岗双责)
    unit: Organization
    chain: list[dict]

    @property
    def due_people(self) -> set[int]:
        return {self.rectifier.pk, self.colleague.pk, self.manager.pk}

    @property
    def overdue_people(self) -> set[int]:
        return self.due_people | {self.chief.pk, self.county_head.pk}

    @property
    def escalation_people(self) -> set[int]:
        return {self.vice_mayor.pk, self.secretary.pk, self.portfolio_leader.pk}


def _holder(username: str, organization: Organization, **fields) -> User:
    return UserFactory(username=username, organization=organization, **fields)


def build_scene(*, inspector, head, rectifier) -> Scene:
    unit = rectifier.organization
    colleague = UserFactory(username="unit_colleague", organization=unit, roles=[Role.RECTIFYING_UNIT])
    clerk = UserFactory(username="unit_clerk", organization=unit)
    manager_post = PostFactory(
        title="总经理", duty=Post.Duty.PRINCIPAL, organization=unit, holder=_holder("manager", unit)
    )
    department = OrganizationFactory(name="浏阳市应急管理局执法大队", region=region(LIUYANG), industries=["fireworks"])
    chief_post = PostFactory(
        title="大队长", duty=Post.Duty.PRINCIPAL, organization=department, holder=_holder("chief", department)
    )
    county_head = UserFactory(username="county_head", organization=department, roles=[Role.DEPARTMENT_HEAD])
    government = OrganizationFactory(
        name="浏阳市人民政府（测试）", kind=Organization.Kind.GOVERNMENT, region=region(LIUYANG)
    )
    party = OrganizationFactory(
        name="中共浏阳市委（测试）", kind=Organization.Kind.PARTY_COMMITTEE, region=region(LIUYANG)
    )
    safety_post = PostFactory(
        title="副市长（分管安全生产）",
        duty=Post.Duty.SAFETY_LEAD,
        organization=government,
        holder=_holder("vice_mayor", government),
    )
    secretary_post = PostFactory(
        title="市委书记", duty=Post.Duty.PRINCIPAL, organization=party, holder=_holder("secretary", party)
    )
    portfolio_post = PostFactory(
        title="副市长（分管烟花爆竹）",
        duty=Post.Duty.PORTFOLIO_LEAD,
        organization=government,
        holder=_holder("portfolio_leader", government),
        industries=["fireworks"],
    )
    chain = [
        asdict(ChainEntry.from_post(layer, post))
        for layer, post in [
            ("enterprise", manager_post),
            ("department", chief_post),
            ("territorial", safety_post),
            ("territorial", secretary_post),
            ("leadership", portfolio_post),
        ]
    ]
    return Scene(
        inspector=inspector,
        head=head,
        rectifier=rectifier,
        colleague=colleague,
        clerk=clerk,
        manager=manager_post.holder,
        chief=chief_post.holder,
        county_head=county_head,
        vice_mayor=safety_post.holder,
        secretary=secretary_post.holder,
        portfolio_leader=portfolio_post.holder,
        unit=unit,
        chain=chain,
    )


def assigned_hazard(scene: Scene, *, days: int = 10, major: bool = False, **fields) -> Hazard:
    """A finding reported by the inspector and assigned by the head through the workflow."""
    level = Hazard.Level.MAJOR if major else Hazard.Level.GENERAL
    hazard = report(scene.inspector, unit=scene.unit, level=level, **fields)
    return workflow.assign(
        actor=scene.head, hazard_id=hazard.pk, deadline=in_days(days), rectifying_unit=scene.unit, chain=scene.chain
    )


# --- A chat robot on 127.0.0.1 ------------------------------------------------------------------


class ChatRobot:
    """A local HTTP server standing in for a WeCom/DingTalk robot: answers each POST from a script.

    `answers` is a list of (status, body) given in turn; after the last, the last repeats. Every
    request is recorded as (delivery id header, JSON payload).
    """

    def __init__(self, answers=((200, {"errcode": 0, "errmsg": "ok"}),), delay: float = 0.0):
        self.answers = list(answers)
        self.delay = delay
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with robot.lock:
                    robot.requests.append((self.headers.get("X-Hunan-Safety-Delivery", ""), payload))
                    index = min(len(robot.requests), len(robot.answers)) - 1
                status, body = robot.answers[index]
                if robot.delay:
                    threading.Event().wait(robot.delay)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "ChatRobot":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def received(self) -> list[str]:
        with self.lock:
            return [delivery_id for delivery_id, _payload in self.requests]


# --- A broker that accepts connections and never answers ------------------------------------


class BlackHole:
    """A listening socket that accepts connections and never replies; counts the connections."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.closed = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        self.socket.settimeout(0.2)
        while not self.closed.is_set():
            try:
                connection, _address = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(connection)  # held open, never read, never answered

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> "BlackHole":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.closed.set()
        self.thread.join(timeout=2)
        for connection in self.connections:
            connection.close()
        self.socket.close()


# The transport options production uses for Redis (hunan_safety/settings.py), here whatever the broker.
REDIS_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    "max_retries": 2,
    "visibility_timeout": 3600,
}


def _drop_broker_connections():
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str, transport_options: dict):
    """Point this process's Celery app at another broker for the duration, then back."""
    saved = app.conf.broker_url, app.conf.broker_transport_options
    _drop_broker_connections()
    app.conf.broker_url, app.conf.broker_transport_options = url, transport_options
    try:
        # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it).
        with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}):
            assert app.connection_for_write().as_uri().endswith(url.split("://", 1)[1]), "broker not switched"
            yield
    finally:
        _drop_broker_connections()
        app.conf.broker_url, app.conf.broker_transport_options = saved


@contextmanager
def celery_eager():
    """Run tasks in this process when they are queued (the broker "is back" without a worker)."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def everyone_opens_their_notifications() -> int:
    """Each person reminded opens their notifications; return how many reminders that wrote into them."""
    people = User.objects.filter(pk__in=Reminder.objects.values("recipient_id")).order_by("pk")
    return sum(notice_reminders(person) for person in people)
