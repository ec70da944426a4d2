"""What the benchmark modules share: Django set-up, a measurement in a subprocess, the result rows."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hunan_safety.settings")
    import django

    django.setup()


@dataclass
class Measurement:
    """One timed run: `benchmark` groups the cases compared side by side (the first is the reference)."""

    benchmark: str
    case: str
    rows: int
    seconds: float
    peak_mb: float  # the process's peak resident memory
    delta_mb: float = 0.0  # the peak above the resident memory just before the measured call
    note: str = ""
    extra: dict = field(default_factory=dict)
    group: str = ""  # the cases compared with each other (default: the same benchmark and size)
    p50_ms: float | None = None  # for request benchmarks: the median and 95th percentile
    p95_ms: float | None = None
    p99_ms: float | None = None
    queries: int | None = None  # SQL queries of one request
    requests_per_second: float | None = None
    errors: int | None = None


def measure(benchmark: str, case: str, rows: int, target: str, *args: str, note: str = "") -> Measurement:
    """Run `target` ("module:function", called with `args`) in a fresh Python process and time it there.

    The child reports the seconds of the call alone (Django set-up excluded), its peak resident
    memory (getrusage ru_maxrss) and the resident memory just before the call.
    """
    command = [sys.executable, "-m", "bench._measure", target, *args]
    result = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, env=os.environ.copy())
    if result.returncode != 0:
        raise RuntimeError(f"{benchmark} / {case} failed:\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return Measurement(
        benchmark=benchmark,
        case=case,
        rows=rows,
        seconds=report["seconds"],
        peak_mb=report["peak_mb"],
        delta_mb=report["peak_mb"] - report["before_mb"],
        note=note,
        extra=report.get("result") or {},
    )
