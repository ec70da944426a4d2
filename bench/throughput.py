"""Throughput: gunicorn with the production settings, loaded by wrk over HTTP (issue 7).

Starts gunicorn (`--throughput-workers` workers of `--throughput-threads` threads, 2 by default as the
Dockerfile and docker-compose.yml run them, DEBUG=0, static files collected and served by
WhiteNoise as in production) on the configured database, signs the personas in (a session row, as
the login page would make), checks that each URL answers 200 for them, then runs wrk for
`--throughput-seconds` at `--throughput-connections` connections against the ledger list (province
staff; the city department head) and a detail page. wrk, gunicorn, PostgreSQL and this process
share the machine's cores, as they would on a one-box deployment.

Figures: requests per second, p50 and p99 latency, and errors: socket errors, and every response
that is not a 200 (counted by a small Lua script, so that a redirect to the login page or a 500
can never pass for a served page). Targets (issue 19), on this machine: the ledger list ≥ 60
requests/s, a detail page ≥ 150 requests/s, no errors. `--throughput-threads 1` runs sync workers
(a page waits on PostgreSQL part of its time: a second thread uses it).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench._common import BASE_DIR, Measurement

NAME = "throughput"
ORDER = 20  # before the benchmarks that add rows of their own

# Counts responses other than 200 in every wrk thread and prints the sum after the run.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("NOT_OK %d\\n", total))
end
"""


def add_arguments(parser) -> None:
    parser.add_argument("--throughput-seconds", type=int, default=30, metavar="S", help="wrk duration per URL (30)")
    parser.add_argument("--throughput-connections", type=int, default=16, metavar="N", help="open connections (16)")
    parser.add_argument("--throughput-workers", type=int, default=4, metavar="N", help="gunicorn workers (4)")
    parser.add_argument(
        "--throughput-threads",
        type=int,
        default=2,
        metavar="N",
        help="threads per worker (2, as deployed; 1: sync workers)",
    )
    parser.add_argument(
        "--throughput-static",
        default="",
        metavar="DIR",
        help="collect the static files here and reuse them when already collected (default: a new temporary "
        "folder each run; collecting and compressing them took 15 minutes on a loaded machine)",
    )


def run(options) -> list[Measurement]:
    from django.conf import settings

    from accounts.models import User
    from bench.pages import _visible_detail_hazard
    from hazards.models import Hazard

    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: `apt-get install wrk` (make bench does it when run as root)")
    rows = Hazard.objects.count()
    with tempfile.TemporaryDirectory(prefix="hunan-bench-") as scratch:
        environment = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must be valid there
            "ALLOWED_HOSTS": "127.0.0.1",
            # wrk plays the TLS-ending proxy (X-Forwarded-Proto): only a trusted proxy's header counts.
            "TRUSTED_PROXIES": "127.0.0.1",
            "STATIC_ROOT": options.throughput_static or str(Path(scratch) / "static"),
        }
        if not (Path(environment["STATIC_ROOT"]) / "staticfiles.json").exists():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=BASE_DIR,
                env=environment,
                check=True,
            )
        port = _free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "hunan_safety.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={options.throughput_workers}",
                f"--threads={options.throughput_threads}",
                "--log-level=warning",
            ],
            cwd=BASE_DIR,
            env=environment,
        )
        try:
            _wait_until_up(port)
            detail = _visible_detail_hazard()
            targets = [
                ("province", "ledger list (province)", "/hazards/"),
                ("head", "ledger list (city head)", "/hazards/"),
                ("inspector", "ledger list (county inspector)", "/hazards/"),
                ("head", "detail page (city head)", f"/hazards/{detail.pk}/"),
            ]
            measurements = []
            for username, case, path in targets:
                cookie = f"{settings.SESSION_COOKIE_NAME}={_session_key(User.objects.get(username=username))}"
                url = f"http://127.0.0.1:{port}{path}"
                _check_ok(url, cookie)
                measurements.append(_wrk(wrk, url, cookie, case, rows, options, Path(scratch)))
                print(f"[bench] throughput · {case} done", flush=True)
            return measurements
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz on port {port} within {seconds} s")


def _session_key(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.session.session_key


def _headers(cookie: str) -> dict[str, str]:
    # What a TLS-terminating proxy in front of gunicorn sends (SECURE_PROXY_SSL_HEADER).
    return {"Cookie": cookie, "X-Forwarded-Proto": "https"}


def _check_ok(url: str, cookie: str) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, headers=_headers(cookie))
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise RuntimeError(f"GET {url} answered {status}, not 200: the load would measure the wrong page")


def _wrk(wrk: str, url: str, cookie: str, case: str, rows: int, options, scratch: Path) -> Measurement:
    script = scratch / "count.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        wrk,
        "--threads=2",
        f"--connections={options.throughput_connections}",
        f"--duration={options.throughput_seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        *[argument for name, value in _headers(cookie).items() for argument in ("-H", f"{name}: {value}")],
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    not_ok = int(re.search(r"NOT_OK (\d+)", output).group(1))
    total_requests = int(re.search(r"(\d+) requests in", output).group(1))
    return Measurement(
        benchmark=NAME,
        case=f"{case}, {options.throughput_connections} connections, "
        f"{options.throughput_workers} workers × {options.throughput_threads} threads",
        rows=rows,
        seconds=options.throughput_seconds,
        peak_mb=0,
        group=case,
        p50_ms=_latency_ms(output, "50%"),
        p95_ms=None,
        p99_ms=_latency_ms(output, "99%"),
        requests_per_second=requests_per_second,
        errors=socket_errors + not_ok,
        note=f"{total_requests:,} requests",
    )


def _latency_ms(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


TARGET_LIST_RPS = 60
TARGET_DETAIL_RPS = 150


def summary(measurements: list[Measurement]) -> list[str]:
    errors = sum(m.errors or 0 for m in measurements)
    lists = [m for m in measurements if m.group.startswith("ledger list")]
    details = [m for m in measurements if m.group.startswith("detail")]
    lines = [
        "throughput: "
        + "; ".join(f"{m.group} {m.requests_per_second:.0f} req/s, p99 {m.p99_ms:.0f} ms" for m in measurements)
        + f"; errors {errors} (target 0): "
        + ("met" if errors == 0 else "NOT met")
    ]
    for kind, rows, target in (("ledger list", lists, TARGET_LIST_RPS), ("detail page", details, TARGET_DETAIL_RPS)):
        if rows:
            slowest = min(rows, key=lambda m: m.requests_per_second or 0)
            lines.append(
                f"throughput: slowest {kind} {slowest.requests_per_second:.0f} req/s ({slowest.group}); "
                f"target ≥ {target}: " + ("met" if (slowest.requests_per_second or 0) >= target else "NOT met")
            )
    return lines
