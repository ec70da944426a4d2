"""Overload: 200 connections against two gunicorn processes, queueing versus load shedding (issue 12.13).

Both runs serve the province's ledger list with the production settings under wrk for
`--shed-seconds` at `--shed-connections` connections (wrk's timeout 10 s, as a browser gives up):

- **queue** (the floor: what was there): sync workers, shedding off (LOAD_SHED_MAX_IN_FLIGHT=0).
  Requests wait in the listen backlog; many time out, and the queue is still draining after wrk stops.
- **shed**: threaded workers (`--threads`), each process serving LOAD_SHED_MAX_IN_FLIGHT requests at
  once and answering the rest 503 with Retry-After after LOAD_SHED_WAIT_MS.

Figures: pages served per second, p50/p99 latency over all answers, 503s, timeouts and other errors,
and how long the first request after the load takes ("after"). Target for the shedding run: no
timeout, and the request after the load answered within a second.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench._common import BASE_DIR, Measurement
from bench.throughput import _check_ok, _free_port, _headers, _latency_ms, _session_key, _wait_until_up

NAME = "shedding"
ORDER = 25

# Counts 200s and 503s in every wrk thread and prints the sums after the run.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; shed = 0 end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 503 then shed = shed + 1 end
end
function done(summary, latency, requests)
  local served, refused = 0, 0
  for _, thread in ipairs(threads) do served = served + thread:get("ok"); refused = refused + thread:get("shed") end
  io.write(string.format("SERVED %d\\nSHED %d\\n", served, refused))
end
"""


def add_arguments(parser) -> None:
    parser.add_argument("--shed-seconds", type=int, default=20, metavar="S", help="wrk duration (20)")
    parser.add_argument("--shed-connections", type=int, default=200, metavar="N", help="open connections (200)")
    parser.add_argument("--shed-workers", type=int, default=2, metavar="N", help="gunicorn processes (2)")
    parser.add_argument("--shed-threads", type=int, default=8, metavar="N", help="threads per process, shed run (8)")
    parser.add_argument("--shed-in-flight", type=int, default=2, metavar="N", help="LOAD_SHED_MAX_IN_FLIGHT (2)")
    parser.add_argument("--shed-wait-ms", type=int, default=500, metavar="MS", help="LOAD_SHED_WAIT_MS (500)")


CASES = {
    "queue": lambda options: ({"LOAD_SHED_MAX_IN_FLIGHT": "0"}, ["--worker-class=sync"]),
    "shed": lambda options: (
        {"LOAD_SHED_MAX_IN_FLIGHT": str(options.shed_in_flight), "LOAD_SHED_WAIT_MS": str(options.shed_wait_ms)},
        ["--worker-class=gthread", f"--threads={options.shed_threads}"],
    ),
}


def run(options) -> list[Measurement]:
    from django.conf import settings

    from accounts.models import User
    from hazards.models import Hazard

    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: `apt-get install wrk` (make bench does it when run as root)")
    rows = Hazard.objects.count()
    cookie = f"{settings.SESSION_COOKIE_NAME}={_session_key(User.objects.get(username='province'))}"
    measurements = []
    with tempfile.TemporaryDirectory(prefix="hunan-bench-") as scratch:
        base = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRUSTED_PROXIES": "127.0.0.1",
            "STATIC_ROOT": str(Path(scratch) / "static"),
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=base, check=True
        )
        script = Path(scratch) / "count.lua"
        script.write_text(WRK_SCRIPT)
        for case, configure in CASES.items():
            environment, gunicorn_options = configure(options)
            port = _free_port()
            server = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "hunan_safety.wsgi:application",
                    f"--bind=127.0.0.1:{port}",
                    f"--workers={options.shed_workers}",
                    "--timeout=60",
                    "--log-level=error",
                    *gunicorn_options,
                ],
                cwd=BASE_DIR,
                env={**base, **environment},
            )
            try:
                _wait_until_up(port)
                url = f"http://127.0.0.1:{port}/hazards/"
                _check_ok(url, cookie)
                measurements.append(_overload(wrk, url, cookie, case, rows, options, script, gunicorn_options))
                print(f"[bench] shedding · {case} done", flush=True)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
    return measurements


def _overload(wrk, url, cookie, case, rows, options, script, gunicorn_options) -> Measurement:
    command = [
        wrk,
        "--threads=2",
        f"--connections={options.shed_connections}",
        f"--duration={options.shed_seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        *[argument for name, value in _headers(cookie).items() for argument in ("-H", f"{name}: {value}")],
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    # The first request once the load stops: how long the queue left behind takes to drain.
    started = time.monotonic()
    request = urllib.request.Request(url, headers=_headers(cookie))
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            after_status = response.status
    except urllib.error.HTTPError as error:
        after_status = error.code
    after_ms = (time.monotonic() - started) * 1000
    served = int(re.search(r"SERVED (\d+)", output).group(1))
    shed = int(re.search(r"SHED (\d+)", output).group(1))
    timed_out = re.search(r"timeout (\d+)", output)
    timeouts = int(timed_out.group(1)) if timed_out else 0
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write) (\d+)", output))
    return Measurement(
        benchmark=NAME,
        case=f"{case}: {options.shed_connections} connections, {options.shed_workers} workers {' '.join(gunicorn_options)}",
        rows=rows,
        seconds=options.shed_seconds,
        peak_mb=0,
        group="overload",
        p50_ms=_latency_ms(output, "50%"),
        p99_ms=_latency_ms(output, "99%"),
        requests_per_second=served / options.shed_seconds,
        errors=timeouts + socket_errors,
        note=f"{served:,} served, {shed:,} shed (503), {timeouts} timeouts, {socket_errors} socket errors; "
        f"after the load: {after_status} in {after_ms:.0f} ms",
        extra={"served": served, "shed": shed, "timeouts": timeouts, "after_ms": after_ms},
    )


def summary(measurements: list[Measurement]) -> list[str]:
    shed = next((m for m in measurements if m.case.startswith("shed")), None)
    lines = [f"shedding · {m.case}: {m.note}" for m in measurements]
    if shed is not None:
        met = shed.extra["timeouts"] == 0 and shed.extra["after_ms"] < 1000
        lines.append("shedding: no timeout and the next request within 1 s (target): " + ("met" if met else "NOT met"))
    return lines
