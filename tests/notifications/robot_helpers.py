"""A local test robot that answers like a WeCom or DingTalk group robot, limits included.

It is a real HTTP server on 127.0.0.1 in a thread. It reads the clock the test controls
(time-machine moves `time.time` in every thread), accepts at most `limit` messages in any 60
seconds and refuses the next with the vendor's code (WeCom 45009; DingTalk 130101, after which a
DingTalk robot refuses everything for 10 minutes), and, given a secret, checks DingTalk's
signature (`timestamp` within an hour, `sign` = base64(HMAC-SHA256(secret, "{timestamp}\\n{secret}")))
the way DingTalk documents it, answering 310000 when it does not match.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from accounts.roles import Role
from hazards.models import HazardState
from tests.factories import EnterpriseFactory, HazardFactory, UserFactory, region

DINGTALK_BLOCK_SECONDS = 600


@dataclass
class Received:
    at: float
    delivery_ids: list[int]
    payload: dict
    query: dict


class VendorRobot:
    def __init__(self, vendor: str = "wecom", *, secret: str = "", limit: int = 20):
        self.vendor = vendor
        self.secret = secret
        self.limit = limit
        self.accepted: list[Received] = []
        self.refused: list[tuple[float, int]] = []  # (time, errcode)
        self.others: list[float] = []  # messages another sender got accepted (the robot is shared)
        self.blocked_until = 0.0
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                header = self.headers.get("X-Hunan-Safety-Delivery", "")
                query = {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}
                ids = [int(part) for part in header.split(",") if part]
                body = robot.answer(ids, payload, query)
                data = json.dumps(body).encode()
                self.send_response(200)  # both vendors answer 200 and say what went wrong in errcode
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        path = "/robot/send?access_token=test" if vendor == "dingtalk" else "/cgi-bin/webhook/send?key=test"
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _sign_error(self, query: dict) -> str:
        if not self.secret:
            return ""
        timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600 * 1000:
            return "timestamp missing or more than an hour off"
        expected = base64.b64encode(
            hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
        ).decode()
        return "" if hmac.compare_digest(sign, expected) else "sign not match"

    def answer(self, ids: list[int], payload: dict, query: dict) -> dict:
        now = time.time()
        with self.lock:
            sign_error = self._sign_error(query)
            if sign_error:
                return {"errcode": 310000, "errmsg": sign_error}
            in_minute = [at for at in [r.at for r in self.accepted] + self.others if at > now - 60]
            if now < self.blocked_until or len(in_minute) >= self.limit:
                code = 130101 if self.vendor == "dingtalk" else 45009
                self.refused.append((now, code))
                if self.vendor == "dingtalk" and now >= self.blocked_until:
                    self.blocked_until = now + DINGTALK_BLOCK_SECONDS
                return {"errcode": code, "errmsg": "send too fast" if code == 130101 else "api freq out of limit"}
            self.accepted.append(Received(now, ids, payload, query))
            return {"errcode": 0, "errmsg": "ok"}

    def someone_else_sends(self, count: int) -> None:
        """Another system uses the same robot: `count` messages accepted now."""
        with self.lock:
            self.others += [time.time()] * count

    def delivered_ids(self) -> list[int]:
        with self.lock:
            return [delivery_id for received in self.accepted for delivery_id in received.delivery_ids]

    def most_in_any_minute(self) -> int:
        """The most messages accepted in any 60 seconds (a window starting at each message)."""
        with self.lock:
            times = sorted([r.at for r in self.accepted] + self.others)
        return max((sum(1 for other in times if start <= other < start + 60) for start in times), default=0)

    def __enter__(self) -> "VendorRobot":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def works_with_robot(robot: VendorRobot, *, name: str = "浏阳机器人测试烟花厂", **robot_fields):
    """An enterprise in 浏阳市 whose chat group has this robot, with one rectifier (phone 13800000001)."""
    works = EnterpriseFactory(name=name, region=region("430181"), webhook_url=robot.url, **robot_fields)
    rectifier = UserFactory(
        username=f"rect-{works.pk}", organization=works, roles=[Role.RECTIFYING_UNIT], phone="13800000001"
    )
    return works, rectifier


def open_hazards(works, *, count: int, today, days_overdue: int = 1):
    """`count` hazards of the works being rectified, `days_overdue` past their deadline (negative: not yet due)."""
    return [
        HazardFactory(
            unit=works,
            found_on=today - timedelta(days=30),
            state=HazardState.RECTIFYING,
            deadline=today - timedelta(days=days_overdue),
            rectifying_unit=works,
        )
        for _ in range(count)
    ]
