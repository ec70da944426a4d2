"""The ledger list, the detail page and two workflow actions through the real view stack (issue 7).

Every request goes through Django's test client: URL resolution, the middleware (sessions, login,
language, CSRF), the view, the template — everything but the socket (bench/throughput.py covers
that). The data is whatever the configured database holds (`seed_demo --hazards 1000000` first;
`--pages-hazards N` tops the demo ledger up to N).

Cases, for three personas — province staff (sees the whole province), the 长沙市 emergency-management
department head (a city, six industries), the 浏阳市 inspector (a county, the same industries):
the first page, a deep page (page 200 of 25), a county, an industry + a state, overdue in a city,
text search for 煤矿 and for 通道, major and listed. Each is requested `--pages-repeat` times after
two warm-up requests; the figures are p50 and p95 and the queries of one request.

The deep page is reached as a user reaches it, by "Next": its link carries the keys of the last
row of page 199 (hazards/listing.py), found once before the timing.

Floor and baseline, in the same run on the same rows and filters: the page's rows alone, as one raw
SQL statement on the connection (the same rule's arms, the same filter and keys, the same columns a
row shows with their joins, LIMIT 26, fetched as tuples: what no page can beat), and the Django admin changelist of `Hazard` (bench/_admin.py: list_filter,
search_fields, date_hierarchy, the same visibility rule), requested `--pages-admin-repeat` times.
Targets at 1M hazards (issue 19): every p95 under 100 ms on a quiet machine and at most 1.5× the
floor, at least 5× faster than the admin, at most 10 queries a request; the detail page under 50 ms.

Then the detail page for each persona, and two actions of the city head, each on a hazard of its
own: assign (交办) a reported finding, verify (验收) a submitted rectification.
"""

import statistics
import time
from datetime import timedelta

from bench._common import Measurement

NAME = "pages"
ORDER = 10  # before the benchmarks that add rows of their own
PERSONAS = {"province": "province", "city head": "head", "county inspector": "inspector"}
DEEP_PAGE = 200
TARGET_P95_MS = 100
TARGET_FLOOR_RATIO = 1.5
TARGET_SPEEDUP = 5
TARGET_QUERIES = 10
TARGET_DETAIL_P95_MS = 50


def add_arguments(parser) -> None:
    parser.add_argument("--pages-repeat", type=int, default=30, metavar="N", help="timed requests per case (30)")
    parser.add_argument(
        "--pages-admin-repeat", type=int, default=10, metavar="N", help="timed requests per admin case (10)"
    )
    parser.add_argument(
        "--pages-hazards", type=int, default=0, metavar="N", help="top the demo ledger up to N hazards first"
    )
    parser.add_argument("--pages-actions", type=int, default=20, metavar="N", help="assign and verify N hazards (20)")


def cases(today) -> list[tuple[str, str, str]]:
    """(name, the ledger's query string, the admin changelist's query string) on the same rows."""
    from accounts.models import Industry
    from hazards.models import OPEN_WORK_STATES

    chemicals = Industry.objects.get(code="hazardous-chemicals")
    chemical_ids = ",".join(str(pk) for pk in sorted(Industry.with_descendants([chemicals.pk])))
    open_states = ",".join(OPEN_WORK_STATES)
    return [
        ("first page", "", ""),
        (f"deep page ({DEEP_PAGE})", f"page={DEEP_PAGE}", f"p={DEEP_PAGE}"),
        ("a county (浏阳市)", "county=430181", "region__code__exact=430181"),
        (
            "industry + state",
            f"industry={chemicals.pk}&state=rectifying",
            f"industry__id__in={chemical_ids}&state__exact=rectifying",
        ),
        (
            "overdue in a city (长沙市)",
            "city=430100&overdue=true",
            f"region__parent__code__exact=430100&state__in={open_states}&deadline__lt={today.isoformat()}",
        ),
        ("search 煤矿", "q=煤矿", "q=煤矿"),
        ("search 通道", "q=通道", "q=通道"),
        (
            "major + listed (province)",
            "level=major&listed_level=province",
            "level__exact=major&listed_level__exact=province",
        ),
    ]


def _time(client, url: str, repeat: int) -> tuple[list[float], int, str]:
    """Milliseconds of `repeat` GETs after two warm-ups, the queries of one request, and what the
    slowest request spent its time on (SQL, garbage collection, the rest), to explain a p95."""
    import gc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hunan_safety.collector import freeze_long_lived

    for _ in range(2):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # now: the next request empties the connection's query log
    freeze_long_lived()  # as a web process does after its first request (hunan_safety/wsgi.py)
    samples, anatomy = [], []
    spent = {"sql": 0.0, "gc": 0.0}
    collecting = {}

    def in_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["sql"] += time.perf_counter() - started

    def in_gc(phase, info):
        if phase == "start":
            collecting["at"] = time.perf_counter()
        elif "at" in collecting:
            spent["gc"] += time.perf_counter() - collecting.pop("at")

    gc.callbacks.append(in_gc)
    try:
        with connection.execute_wrapper(in_sql):
            for _ in range(repeat):
                spent.update(sql=0.0, gc=0.0)
                started = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                anatomy.append((spent["sql"] * 1000, spent["gc"] * 1000))
    finally:
        gc.callbacks.remove(in_gc)
    slowest = max(range(len(samples)), key=samples.__getitem__)
    sql_ms, gc_ms = anatomy[slowest]
    median_sql = statistics.median(sql for sql, _gc in anatomy)
    note = f"slowest {samples[slowest]:.0f} ms: SQL {sql_ms:.0f} (median {median_sql:.0f}), GC {gc_ms:.0f}"
    return samples, queries, note


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _measurement(group: str, case: str, rows: int, samples: list[float], queries: int, note: str = "") -> Measurement:
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


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def run(options) -> list[Measurement]:
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.utils import timezone

    from accounts.models import User
    from hazards.filters import HazardFilter
    from hazards.models import Hazard

    if options.pages_hazards:
        call_command("seed_demo", hazards=options.pages_hazards, force=True, verbosity=0)
    rows = Hazard.objects.count()
    today = timezone.localdate()
    measurements = []
    # Production-like: no query log kept by DEBUG, the benchmark's URLconf for the admin baseline.
    with override_settings(
        DEBUG=False, ROOT_URLCONF="bench._urls", ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]
    ):
        for persona, username in PERSONAS.items():
            user = User.objects.get(username=username)
            client = _client(user)
            for case, ours, admin in cases(today):
                matched = HazardFilter(_query_dict(ours), queryset=Hazard.objects.visible_to(user)).qs.count()
                group = f"{persona} · {case}"
                if ours.startswith("page="):
                    ours = _by_key(user, DEEP_PAGE)
                samples, queries, anatomy = _time(client, f"/hazards/?{ours}", options.pages_repeat)
                measurements.append(
                    _measurement(group, f"{group}: ledger", rows, samples, queries, f"{matched:,} match; {anatomy}")
                )
                samples = _time_floor(user, ours, options.pages_repeat)
                measurements.append(_measurement(group, f"{group}: raw keyset floor", rows, samples, 1))
                samples, queries, _anatomy = _time(
                    client, f"/bench-admin/hazards/hazard/?{admin}", options.pages_admin_repeat
                )
                measurements.append(_measurement(group, f"{group}: admin changelist", rows, samples, queries))
                print(f"[bench] pages · {group} done", flush=True)
            hazard = _visible_detail_hazard()
            samples, queries, anatomy = _time(client, f"/hazards/{hazard.pk}/", options.pages_repeat)
            measurements.append(
                _measurement(f"{persona} · detail", f"{persona} · detail page", rows, samples, queries, anatomy)
            )
        measurements += _actions(options.pages_actions, rows, today)
    return measurements


def _by_key(user, number: int, per_page: int = 25) -> str:
    """The query string of page `number` as "Next" leads to it: the keys of the last row before it."""
    from hazards.listing import encode_cursor, sort_keys
    from hazards.models import Hazard

    keys = sort_keys(["-found_on", "-id"])
    last = Hazard.objects.visible_to(user).order_by("-found_on", "-id")[(number - 1) * per_page - 1]
    return f"page={number}&after={encode_cursor(last, keys)}"


def _time_floor(user, query: str, repeat: int) -> list[float]:
    """Milliseconds of the page's rows alone: one SQL statement (rule, filter, keys, the columns a row
    shows, LIMIT 26) on the connection, rows fetched as tuples; no session, template or middleware."""
    from django.db import connection

    from hazards.filters import HazardFilter
    from hazards.listing import after, decode_cursor, in_scope, row_columns, sort_keys
    from hazards.models import Hazard

    params = _query_dict(query)
    filtered = HazardFilter(params, queryset=Hazard.objects.order_by("-found_on", "-id")).qs
    keys = sort_keys(filtered.query.order_by)
    values = decode_cursor(params.get("after", ""), keys) if params else None
    if values is not None:
        filtered = filtered.filter(after(keys, values))
    order = [key.order() for key in keys]
    # The page's own rows: the same columns it shows (joins, names, first photo), read as tuples.
    floor = row_columns(in_scope(filtered, user, order, 26)).order_by(*order)[:26]
    sql, sql_params = floor.query.sql_with_params()
    samples = []
    with connection.cursor() as cursor:
        for attempt in range(repeat + 2):
            started = time.perf_counter()
            cursor.execute(sql, sql_params)
            cursor.fetchall()
            if attempt >= 2:  # two warm-ups, as for the pages
                samples.append((time.perf_counter() - started) * 1000)
    return samples


def _query_dict(query: str):
    from django.http import QueryDict

    return QueryDict(query) if query else None


def _visible_detail_hazard():
    """A hazard in work in 浏阳市 in the emergency-management industries: all three personas see it."""
    from accounts.models import Industry
    from hazards.models import Hazard, HazardState

    chemicals = Industry.objects.get(code="hazardous-chemicals")
    return (
        Hazard.objects.filter(
            region_id="430181",
            industry_id__in=Industry.with_descendants([chemicals.pk]),
            state=HazardState.RECTIFYING,
        )
        .exclude(responsibility_chain=[])
        .order_by("-found_on")
        .first()
    )


def _actions(count: int, rows: int, today) -> list[Measurement]:
    """The city head assigns `count` reported findings, then accepts `count` submitted rectifications."""
    if count <= 0:
        return []  # --pages-actions 0: the pages only
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from hazards import workflow
    from hazards.models import Hazard, HazardState

    head = User.objects.get(username="head")
    client = _client(head)
    visible = Hazard.objects.visible_to(head)
    plans = {
        "assign": (
            visible.filter(state=HazardState.REPORTED).exclude(unit=None),
            lambda hazard: {
                "assign-version": hazard.version,
                "assign-rectifying_unit": hazard.unit_id,
                "assign-deadline": (today + timedelta(days=30)).isoformat(),
                "assign-measures": "按规定整改。",
            },
        ),
        "verify": (
            visible.filter(state=HazardState.SUBMITTED).exclude(submitted_by=head),
            lambda hazard: {
                "verify-version": hazard.version,
                "verify-method": Hazard.AcceptanceMethod.choices[0][0],
                "verify-opinion": "现场核查，整改到位。",
            },
        ),
    }
    measurements = []
    for action, (candidates, form) in plans.items():
        hazards = [
            hazard
            for hazard in candidates.order_by("-found_on")[: count * 3]
            if action in workflow.allowed_actions(hazard, head)
        ][:count]
        if len(hazards) < count:
            raise RuntimeError(f"only {len(hazards)} hazards the city head may {action}; seed more")
        samples, queries = [], 0
        for index, hazard in enumerate(hazards):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(f"/hazards/{hazard.pk}/act/{action}/", form(hazard))
                samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 302:
                raise RuntimeError(f"{action} of {hazard.number} answered {response.status_code}")
            if index == 0:
                queries = len(captured)
        measurements.append(
            _measurement(f"city head · {action}", f"city head · {action} (POST)", rows, samples, queries)
        )
    return measurements


def summary(measurements: list[Measurement]) -> list[str]:
    """The targets: p95, the ratio to the floor, the speed-up over the admin changelist, the queries."""
    ledger = [m for m in measurements if m.case.endswith(": ledger")]
    admin = {m.group: m for m in measurements if m.case.endswith(": admin changelist")}
    floor = {m.group: m for m in measurements if m.case.endswith(": raw keyset floor")}
    details = [m for m in measurements if m.case.endswith("detail page")]
    if not ledger:
        return []
    worst = max(ledger, key=lambda m: m.p95_ms)
    speedups = [(admin[m.group].p95_ms / m.p95_ms, m) for m in ledger if m.group in admin and m.p95_ms]
    slowest_ratio, closest = min(speedups, key=lambda pair: pair[0])
    over_floor = [(m.p95_ms / floor[m.group].p95_ms, m) for m in ledger if m.group in floor and floor[m.group].p95_ms]
    floor_ratio, farthest = max(over_floor, key=lambda pair: pair[0])
    worst_detail = max(details, key=lambda m: m.p95_ms) if details else None
    most_queries = max(measurements, key=lambda m: m.queries or 0)
    return [
        f"pages: worst ledger p95 {worst.p95_ms:.0f} ms ({worst.group}); target < {TARGET_P95_MS} ms: "
        + ("met" if worst.p95_ms < TARGET_P95_MS else "NOT met"),
        f"pages: largest ratio of a ledger p95 to its raw keyset floor {floor_ratio:.1f}× ({farthest.group}; "
        f"median {statistics.median(ratio for ratio, _m in over_floor):.1f}×); target ≤ {TARGET_FLOOR_RATIO}×: "
        + ("met" if floor_ratio <= TARGET_FLOOR_RATIO else "NOT met"),
        *(
            [
                f"pages: worst detail page p95 {worst_detail.p95_ms:.0f} ms ({worst_detail.group}); "
                f"target < {TARGET_DETAIL_P95_MS} ms: "
                + ("met" if worst_detail.p95_ms < TARGET_DETAIL_P95_MS else "NOT met")
            ]
            if worst_detail
            else []
        ),
        f"pages: smallest speed-up over the admin changelist (p95) {slowest_ratio:.1f}× ({closest.group}); "
        f"target ≥ {TARGET_SPEEDUP}×: " + ("met" if slowest_ratio >= TARGET_SPEEDUP else "NOT met"),
        f"pages: most queries in a request of ours {max(m.queries for m in ledger)}, of any page "
        f"{most_queries.queries} ({most_queries.case}); target ≤ {TARGET_QUERIES}: "
        + ("met" if max(m.queries for m in ledger) <= TARGET_QUERIES else "NOT met"),
    ]
