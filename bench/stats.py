"""The statistics pages at a province's size (issue 14): the official table and the dashboard.

Requests through Django's test client (URL resolution, middleware, view, template), as provincial
staff (the whole province, by city) and the 长沙市 department head (a city by county, six
industries): the table this year to date by region and by industry, the full previous year by
region and by industry, the quarterly table, and the dashboard. Each is requested
`--stats-repeat` times after two warm-ups; the figures are p50 and p95 and the queries of one
request.

Floor, in the same run on the same rows: one `count(*)` of the findings the table reads (the
visibility rule and the period, no aggregate; for the dashboard, the last twelve months' findings
its trend reads) — what any way of counting them pays just to read them.
Then the figures are checked against direct counts (the total of general hazards found, the
overdue ones) so that speed never comes from counting something else, and every figure of the
table and the dashboard against the same computed from the ledger's rows without the tallies
(stats/summary.py), which is also timed: the way the pages counted before the tallies.
Before all: the tallies are compared with a recount of the ledger (`rebuild_tallies --check`).

Targets at 1M hazards: p95 under 300 ms for the dashboard and under 500 ms for a full-year table.
"""

import statistics
import time
from datetime import timedelta

from bench._common import Measurement

NAME = "stats"
ORDER = 20  # reads the ledger as it is
PERSONAS = {"province": "province", "city head": "head"}
TARGET_DASHBOARD_P95_MS = 300
TARGET_TABLE_P95_MS = 500


def add_arguments(parser) -> None:
    parser.add_argument("--stats-repeat", type=int, default=20, metavar="N", help="timed requests per case (20)")


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _time(call, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _measurement(
    group: str, case: str, rows: int, samples: list[float], queries: int | None, note: str = ""
) -> Measurement:
    p95 = _percentile(samples, 0.95)
    return Measurement(
        benchmark=NAME,
        case=case,
        rows=rows,
        seconds=p95 / 1000,
        peak_mb=0,
        note=note,
        group=group,
        p50_ms=statistics.median(samples),
        p95_ms=p95,
        queries=queries,
    )


def run(options) -> list[Measurement]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from accounts.models import User
    from hazards import indicators
    from hazards.models import Hazard
    from stats import tally
    from stats.dashboard import build_dashboard
    from stats.periods import Period
    from stats.table import found_rule, statistics_table

    rows = Hazard.objects.count()
    started = time.perf_counter()
    differences = tally.differences()
    checked_ms = (time.perf_counter() - started) * 1000
    if any(differences.values()) or not tally.in_use():
        raise RuntimeError(f"the tallies differ from the ledger or are not kept: {differences}")
    print(f"[bench] stats · the tallies equal a recount of the ledger ({checked_ms:,.0f} ms)", flush=True)
    today = timezone.localdate()
    last_year = Period.year(today.year - 1)
    this_year = Period.year_to_date(today)
    quarter = (today.month + 2) // 3
    cases = [
        ("dashboard", "/statistics/dashboard/", None, TARGET_DASHBOARD_P95_MS),
        ("table by region, year to date", "/statistics/", this_year, TARGET_TABLE_P95_MS),
        ("table by industry, year to date", "/statistics/?by=industry", this_year, TARGET_TABLE_P95_MS),
        (
            f"table by region, full year {last_year.start.year}",
            f"/statistics/?start={last_year.start}&end={last_year.end}",
            last_year,
            TARGET_TABLE_P95_MS,
        ),
        (
            f"table by industry, full year {last_year.start.year}",
            f"/statistics/?start={last_year.start}&end={last_year.end}&by=industry",
            last_year,
            TARGET_TABLE_P95_MS,
        ),
        (
            "quarterly table",
            f"/statistics/?start={Period.quarter(today.year, quarter).start}&end={Period.quarter(today.year, quarter).end}",
            Period.quarter(today.year, quarter),
            TARGET_TABLE_P95_MS,
        ),
    ]
    measurements = []
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for persona, username in PERSONAS.items():
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            visible = Hazard.objects.visible_to(user)
            for case, url, period, target in cases:
                group = f"{persona} · {case}"
                for _ in range(2):
                    status = client.get(url).status_code
                    if status != 200:
                        raise RuntimeError(f"GET {url} answered {status}")
                with CaptureQueriesContext(connection) as captured:
                    client.get(url)
                queries = len(captured)  # now: the next request empties the connection's query log
                samples = _time(lambda url=url, client=client: client.get(url), options.stats_repeat)
                p95 = _percentile(samples, 0.95)
                verdict = "meets" if p95 < target else "MISSES"
                measurements.append(
                    _measurement(group, f"{group}: page", rows, samples, queries, f"{verdict} p95 < {target} ms")
                )
                if period is not None:
                    read = visible.filter(found_rule(period)).order_by()
                    floor = _time(lambda read=read: read.count(), max(5, options.stats_repeat // 2))
                    matched = read.count()
                    measurements.append(
                        _measurement(
                            group, f"{group}: floor (count of the rows read)", rows, floor, 1, f"{matched:,} rows"
                        )
                    )
                    table = statistics_table(user, period, today=today)
                    by = "industry" if "by=industry" in url else "region"
                    ledger = _time(
                        lambda user=user, period=period, by=by: statistics_table(
                            user, period, by=by, today=today, tallies=False
                        ),
                        max(5, options.stats_repeat // 2),
                    )
                    measurements.append(
                        _measurement(group, f"{group}: counted from the ledger (no tallies)", rows, ledger, None)
                    )
                    tallied = statistics_table(user, period, by=by, today=today)
                    counted = statistics_table(user, period, by=by, today=today, tallies=False)
                    if [r.values for r in [*tallied.rows, tallied.total]] != [
                        r.values for r in [*counted.rows, counted.total]
                    ]:
                        raise RuntimeError(f"{group}: the table from the tallies differs from the ledger's count")
                    direct = visible.filter(found_rule(period), level=Hazard.Level.GENERAL).count()
                    overdue = visible.filter(found_rule(period)).overdue(today).count()
                    if (table.total.values["general"], table.total.values["overdue"]) != (direct, overdue):
                        raise RuntimeError(f"{group}: the table's figures differ from direct counts")
                else:
                    # The dashboard's largest read: the last twelve months' findings, for the trend.
                    year = visible.filter(found_on__gt=today - timedelta(days=365)).order_by()
                    floor = _time(lambda year=year: year.count(), max(5, options.stats_repeat // 2))
                    note = f"{year.count():,} rows"
                    measurements.append(
                        _measurement(group, f"{group}: floor (count of a year's findings)", rows, floor, 1, note)
                    )
                    ledger = _time(
                        lambda user=user: build_dashboard(user, today, tallies=False), max(5, options.stats_repeat // 2)
                    )
                    measurements.append(
                        _measurement(group, f"{group}: counted from the ledger (no tallies)", rows, ledger, None)
                    )
                    tallied, counted = build_dashboard(user, today), build_dashboard(user, today, tallies=False)
                    figures = [(f.label, f.value) for f in tallied.headline], [c.as_json() for c in tallied.charts]
                    if figures != (
                        [(f.label, f.value) for f in counted.headline],
                        [c.as_json() for c in counted.charts],
                    ):
                        raise RuntimeError(f"{group}: the dashboard from the tallies differs from the ledger's count")
                    open_figure = build_dashboard(user, today).headline[0]  # open hazards
                    if open_figure.value != visible.filter(state__in=indicators.OPEN_STATES).count():
                        raise RuntimeError(f"{group}: the dashboard's open hazards differ from a direct count")
                print(f"[bench] stats · {group} done", flush=True)
    return measurements
