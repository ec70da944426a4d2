"""The register of units at demo size (issue 15): campaign coverage, who has not reconciled, the register, the import.

Through the real view stack (Django's test client, as bench/pages.py), on whatever the configured
database holds — `seed_demo --hazards 1000000` and then `--register-units N` (default 5,000) units
of the demo register, about one in eight inspected. Before measuring, a realistic share of the
quarterly units (40 %) get a reconciliation of the last ended quarter in some state.

Pages, for province staff, the 长沙市 department head and the 浏阳市 inspector, each `--register-repeat`
times after two warm-ups: the coverage page of the campaign with the most units in scope (the
province-wide one), the "who has not reconciled" list, the register's first page and its
never-inspected filter. Target: p95 under 300 ms.

Beside them, in the same run: each coverage page counted afresh (the kept figures cleared before
every request: a viewer's first visit in two minutes), and the floors — the coverage figures' own
SQL and sums (`inspections.coverage.coverage`, no page around it) and the not-reconciled list's SQL
(status counts and first page) — for the province and the city head; with --register-baseline, a
first version's coverage (one `exists()` per unit). And the import: 10,000 units read, checked and
written (`units.importing`; merged on a rerun), beside the floor of calamine reading the sheet alone.
"""

import io
import statistics
import time
from datetime import timedelta

from bench._common import Measurement

NAME = "register"
ORDER = 20  # reads first; its import adds units of its own (merged on a rerun)
PERSONAS = {"province": "province", "city head": "head", "county inspector": "inspector"}
TARGET_P95_MS = 300
IMPORT_ROWS = 10_000


def add_arguments(parser) -> None:
    parser.add_argument("--register-repeat", type=int, default=30, metavar="N", help="timed requests per case (30)")
    parser.add_argument(
        "--register-units", type=int, default=5000, metavar="N", help="make sure the demo register has N units (5,000)"
    )
    parser.add_argument(
        "--register-baseline",
        action="store_true",
        help="also time a first version's coverage, one exists() per unit (about a minute of CPU)",
    )


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(call, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _row(
    group: str, case: str, rows: int, samples: list[float], queries: int | None = None, note: str = ""
) -> Measurement:
    p95 = _percentile(samples, 0.95)
    return Measurement(
        benchmark=NAME,
        case=case,
        rows=rows,
        seconds=p95 / 1000,
        peak_mb=0,
        group=group,
        note=note,
        p50_ms=statistics.median(samples),
        p95_ms=p95,
        queries=queries,
    )


def _reconcile_a_share(period) -> None:
    """40 % of the quarterly units have a reconciliation of `period`, in every state (bench rows, once)."""
    from accounts.models import Organization, User
    from reconciliation.models import Reconciliation
    from reconciliation.periods import units_reconciling

    if Reconciliation.objects.filter(period=period.code).exists():
        return
    units = units_reconciling(Organization.objects.filter(kind__in=Organization.REGISTER_KINDS), period.kind)
    someone = User.objects.get(username="rectifier")
    states = ["prepared", "unit_confirmed", "sent_back", "unit_confirmed"]
    Reconciliation.objects.bulk_create(
        [
            Reconciliation(
                unit_id=pk,
                period=period.code,
                starts_on=period.starts_on,
                ends_on=period.ends_on,
                state=states[index % len(states)],
                prepared_by=someone,
            )
            for index, pk in enumerate(units.order_by("pk").values_list("pk", flat=True))
            if index % 5 < 2
        ],
        batch_size=2000,
    )


def _page(client, url: str, repeat: int) -> tuple[list[float], int]:
    from django.db import connection

    for _ in range(2):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    # Counted by a wrapper: the request's end closes the connection, and with it the debug query log.
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        client.get(url)
    return _timed(lambda: client.get(url), repeat), len(statements)


def _import_workbook() -> bytes:
    from openpyxl import Workbook

    from accounts.credit_codes import build_credit_code

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["单位名称", "统一社会信用代码", "县市区", "地址", "行业领域", "安全负责人", "联系电话", "风险等级"])
    for number in range(IMPORT_ROWS):
        sheet.append(
            [
                f"基准导入单位{number}",
                build_credit_code(region_code="430181", serial=70_000_000 + number),
                "浏阳市",
                f"集里街道{number}号",
                "工贸",
                "王五",
                "13800000000",
                "一般风险",
            ]
        )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _floors(
    persona: str, user, campaign, period, repeat: int, size: int, note: str, baseline: bool
) -> list[Measurement]:
    """Beside the pages, in the same run: their SQL alone (the floors), and optionally a first version.

    - the coverage figures counted afresh (`inspections.coverage.coverage`, nothing kept): what a
      viewer's first visit in two minutes costs, and the floor of the page;
    - the not-reconciled list's SQL: its status counts and its first page of 50 units;
    - with --register-baseline, a first version's coverage: one exists() per unit in scope.
    """
    from django.utils import timezone

    from accounts.scope import register_for
    from inspections import coverage
    from reconciliation import selectors

    scope = coverage.CampaignScope.of(campaign)
    units = register_for(user)
    since = timezone.localdate() - timedelta(days=365)
    fresh = _timed(lambda: coverage.coverage(scope, units, since=since, blind_shown=100), repeat)

    def not_reconciled() -> None:
        listed = selectors.units_for_period(user, period)
        selectors.status_counts(listed)
        list(selectors.with_status(listed, selectors.NOT_RECONCILED).order_by("region_id", "name", "pk")[:50])

    rows = [
        _row(
            f"{persona}: coverage page",
            f"{persona}: floor: coverage counted afresh (SQL + sums)",
            size,
            fresh,
            note=note,
        ),
        _row(
            f"{persona}: not reconciled",
            f"{persona}: floor: not-reconciled SQL (counts + first 50)",
            size,
            _timed(not_reconciled, repeat),
            note=note,
        ),
    ]
    if baseline:
        naive = _timed(
            lambda: sum(
                unit.inspections.filter(campaign=campaign).exists()
                for unit in coverage.units_in_scope(scope, units).only("pk")
            ),
            1,  # a first version takes a minute and more: one run says enough
        )
        rows.append(
            _row(f"{persona}: coverage page", f"{persona}: baseline: exists() per unit", size, naive, note=note)
        )
    return rows


def _cold_coverage(client, url: str, repeat: int) -> list[float]:
    """The coverage page with nothing kept: every request counts the figures afresh (a first visit)."""
    from django.core.cache import cache

    samples = []
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(options) -> list[Measurement]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from accounts.models import Organization, User
    from hazards.models import Hazard
    from inspections.models import Campaign
    from reconciliation.periods import last_ended
    from units import importing

    if options.register_units:
        call_command("seed_demo", units=options.register_units, force=True, verbosity=0)
    rows = Hazard.objects.count()
    register_size = Organization.objects.filter(kind__in=Organization.REGISTER_KINDS).count()
    period = last_ended(timezone.localdate())
    _reconcile_a_share(period)
    if connection.vendor == "postgresql":
        # The rows just added (units, reconciliations) are counted for the planner, as autovacuum would.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE accounts_organization, accounts_organization_industries, reconciliation_reconciliation"
            )
    # The campaign whose scope holds the most units: the province-wide one, when the demo has it.
    campaign = (
        Campaign.objects.annotate(regions_count=Count("regions"), industries_count=Count("industries"))
        .order_by("regions_count", "industries_count", "pk")
        .first()
    )
    assert campaign is not None, "the demo's campaigns come with seed_demo --hazards"
    measurements: list[Measurement] = []
    repeat = options.register_repeat
    note = f"{register_size:,} units, {rows:,} hazards"
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for persona, username in PERSONAS.items():
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            pages = [
                ("coverage page", reverse("campaign_coverage", args=[campaign.pk])),
                ("not reconciled", f"{reverse('reconciliation:list')}?period={period.code}&status=not_reconciled"),
                ("register, first page", reverse("units:list")),
                ("register, most dangerous first", f"{reverse('units:list')}?sort=risk"),
                ("register, never inspected", f"{reverse('units:list')}?not_inspected=on"),
            ]
            # The floor of any page at this moment's load: the same client and stack, a page with no work.
            samples, queries = _page(client, reverse("healthz"), repeat)
            measurements.append(
                _row(
                    f"{persona}: floor", f"{persona}: floor: /healthz through the same stack", 0, samples, queries, note
                )
            )
            for case, url in pages:
                samples, queries = _page(client, url, repeat)
                group = f"{persona}: {case}"
                measurements.append(_row(group, f"{persona}: {case}", register_size, samples, queries, note))
                if case == "coverage page":
                    cold = _cold_coverage(client, url, repeat)
                    measurements.append(
                        _row(group, f"{persona}: coverage page, counted afresh", register_size, cold, None, note)
                    )
            if persona != "county inspector":
                measurements += _floors(
                    persona, user, campaign, period, repeat, register_size, note, options.register_baseline
                )
    workbook = _import_workbook()
    province = User.objects.get(username="province")
    started = time.perf_counter()
    CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_index(0).to_python()
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    check = importing.check_units(io.BytesIO(workbook), actor=province, file_name="bench.xlsx")
    assert check.is_valid, check.bad_rows[:3]
    created, merged = importing.import_units(actor=province, check=check)
    import_seconds = time.perf_counter() - started
    group = f"import {IMPORT_ROWS:,} units"
    measurements.append(
        Measurement(
            NAME,
            "import: read, check, write",
            IMPORT_ROWS,
            import_seconds,
            0,
            group=group,
            note=f"{created:,} new, {merged:,} merged",
        )
    )
    measurements.append(
        Measurement(NAME, "floor: calamine reads the sheet alone", IMPORT_ROWS, read_seconds, 0, group=group)
    )
    return measurements


def summary(measurements: list[Measurement]) -> list[str]:
    """The target's pages (coverage, not reconciled) for province and city head, each against 300 ms p95."""
    lines = []
    for m in measurements:
        targeted = m.case.startswith(("province:", "city head:")) and (
            "coverage page" in m.case or "not reconciled" in m.case
        )
        if m.p95_ms is None or not targeted or "floor:" in m.case or "baseline:" in m.case:
            continue
        verdict = "meets" if m.p95_ms < TARGET_P95_MS else "MISSES"
        lines.append(f"register: {m.case} p95 {m.p95_ms:.0f} ms — {verdict} the {TARGET_P95_MS} ms target")
    return lines
