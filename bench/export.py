"""The Excel ledger export on N hazards (issues 6 and 19.2), side by side on the same rows:

- bare native writer (the floor, first: every ratio is to it): the same query's values (the export's
  own query: the list's search for the bench's numbers through the visibility rule) written by
  rust_xlsxwriter (rvgsrust-xlsxwriter) with `write_row` in constant-memory mode, dates formatted;
- ours (export_ledger): the command, with the native writer (ledger/writers.py);
- ours with XlsxWriter: the same export through the fallback writer (what the export was before);
- bare rustpy-xlsxwriter: the other Rust writer, fed the same values as records (dicts);
- bare XlsxWriter constant_memory: the same values with write_row and no formatting;
- bare openpyxl write_only, and django-import-export (a ModelResource to xlsx), the usual picks.

Creates the hazards it needs (bulk_create, numbered HN-BENCH-…) in the configured database and
leaves them there for the next run. Targets (issue 19) on 100,000 rows from PostgreSQL: ours ≤ 1.5×
the bare native writer and under 10 s on a quiet machine, ≥ 4× faster than the XlsxWriter path,
peak memory under 120 MB and flat from 100k to 1M rows.
"""

import os
import random
import tempfile
from datetime import timedelta
from decimal import Decimal

from bench._common import Measurement, measure

BENCH_USER = "bench-province"
PREFIX = "HN-BENCH-"
NAME = "export"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--export-rows",
        type=int,
        nargs="+",
        default=[100_000],
        metavar="N",
        help="hazards to export, one run per size (default 100000; e.g. 100000 300000)",
    )
    parser.add_argument(
        "--export-skip-import-export",
        action="store_true",
        help="leave django-import-export out (it is the slow one)",
    )


def run(options) -> list[Measurement]:
    measurements = []
    for rows in sorted(options.export_rows):
        ensure_hazards(rows)
        first = len(measurements)
        count = str(rows)
        measurements.append(measure(NAME, "bare native writer (floor)", rows, "bench.export:bare_native", count))
        measurements.append(measure(NAME, "ours (export_ledger, native)", rows, "bench.export:ours", count))
        measurements.append(measure(NAME, "ours with XlsxWriter", rows, "bench.export:ours_xlsxwriter", count))
        if _installed("rustpy_xlsxwriter"):
            measurements.append(measure(NAME, "bare rustpy-xlsxwriter", rows, "bench.export:bare_rustpy", count))
        measurements.append(
            measure(NAME, "bare XlsxWriter constant_memory", rows, "bench.export:bare_xlsxwriter", count)
        )
        measurements.append(measure(NAME, "bare openpyxl write_only", rows, "bench.export:bare_openpyxl", count))
        if not options.export_skip_import_export:
            measurements.append(measure(NAME, "django-import-export xlsx", rows, "bench.export:import_export", count))
        for measurement in measurements[first:]:  # this size's cases only
            written = measurement.extra.get("rows")
            if written is not None and written != rows:
                raise RuntimeError(f"{measurement.case} wrote {written} rows, not {rows}")
            measurement.note = f"{measurement.extra.get('bytes', 0) / 1e6:.1f} MB file"
            if measurement.extra.get("path"):
                os.remove(measurement.extra["path"])
        by_case = {measurement.case: measurement for measurement in measurements[first:]}
        ours, before = by_case["ours (export_ledger, native)"], by_case["ours with XlsxWriter"]
        ours.note += f"; {before.seconds / ours.seconds:.1f}× faster than with XlsxWriter (target ≥ 4×)"
    return measurements


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# --- The data --------------------------------------------------------------------------------


def ensure_hazards(count: int) -> None:
    """At least `count` hazards on the ledger (the bench's own, numbered HN-BENCH-…), and the bench user."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.credit_codes import build_credit_code
    from accounts.models import Industry, Organization, Region, User
    from accounts.roles import Role
    from hazards.models import Hazard, HazardState

    province = Region.objects.get(code="430000")
    office, _ = Organization.objects.get_or_create(
        name="基准测试省厅", region=province, defaults={"kind": Organization.Kind.DEPARTMENT}
    )
    user, created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"organization": office, "region": province, "last_name": "基准"}
    )
    if created:
        user.groups.add(Group.objects.get(name=Role.PROVINCIAL_STAFF))
    existing = Hazard.objects.filter(number__startswith="HN-BENCH-").count()
    if existing >= count:
        return
    randomiser = random.Random(existing)
    counties = list(Region.objects.filter(level=Region.Level.COUNTY))
    industries = list(Industry.objects.exclude(parent=None))
    units = []
    for index, county in enumerate(counties[:40]):
        unit, _ = Organization.objects.get_or_create(
            name=f"基准测试企业{index:02d}有限公司",
            region=county,
            defaults={
                "kind": Organization.Kind.ENTERPRISE,
                "credit_code": build_credit_code(region_code=county.code, serial=30000000 + index),
            },
        )
        units.append(unit)
    today = timezone.localdate()
    states = [state for state, _label in HazardState.choices]
    chain = [
        {
            "layer": "enterprise",
            "organization": "基准测试企业",
            "post": "安全员",
            "person": "李四",
            "phone": "13800000000",
        },
        {
            "layer": "department",
            "organization": "某县应急管理局",
            "post": "局长",
            "person": "王五",
            "phone": "0731-8888",
        },
        {"layer": "territorial", "organization": "某县人民政府", "post": "副县长", "person": "赵六", "phone": ""},
        {
            "layer": "leadership",
            "organization": "某县人民政府",
            "post": "副县长（分管工业）",
            "person": "钱七",
            "phone": "",
        },
    ]
    batch = []
    for serial in range(existing, count):
        unit = units[serial % len(units)]
        state = states[serial % len(states)]
        found_on = today - timedelta(days=randomiser.randint(1, 700))
        deadline = found_on + timedelta(days=randomiser.randint(5, 90)) if state != HazardState.REPORTED else None
        now = timezone.now()
        batch.append(
            Hazard(
                number=f"HN-BENCH-{serial:08d}",
                title=f"基准测试隐患{serial}：安全出口堵塞",
                description="车间东侧安全出口被成品纸箱堵塞，应急照明不亮，疏散指示标志缺失。" * 2,
                industry=industries[serial % len(industries)],
                level="major" if serial % 17 == 0 else "general",
                region=unit.region,
                unit=unit,
                location="1号车间东侧",
                found_on=found_on,
                found_by=user,
                state=state,
                deadline=deadline,
                rectifying_unit=unit if state != HazardState.REPORTED else None,
                measures="清理出口，恢复应急照明，补设疏散指示标志。",
                funds=Decimal(randomiser.randint(0, 5000)) / 100,
                responsible_person="李厂长",
                responsibility_chain=chain if state != HazardState.REPORTED else [],
                extension_count=serial % 3 if deadline else 0,
                verified_by=user if state in (HazardState.VERIFIED, HazardState.CLOSED) else None,
                verified_at=now if state in (HazardState.VERIFIED, HazardState.CLOSED) else None,
                closed_at=now if state == HazardState.CLOSED else None,
            )
        )
        if len(batch) == 5000:
            Hazard.objects.bulk_create(batch)
            batch = []
    if batch:
        Hazard.objects.bulk_create(batch)


def _queryset():
    from hazards.visibility import HazardQuerySet
    from ledger.export import ledger_filter

    # The very query the export runs (the list's search for the bench's numbers, through the visibility
    # rule), so that every case reads the same rows the same way and the ratios are the writers'. The
    # bench's own rows only, so that a database holding the demo ledger as well compares the same N.
    queryset: HazardQuerySet = ledger_filter(_user(), {"q": PREFIX}).qs
    return queryset


def _user():
    from accounts.models import User

    return User.objects.get(username=BENCH_USER)


def _out() -> str:
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="bench-export-")
    os.close(handle)
    return path


# --- The measured calls (each runs in a subprocess of its own) ---------------------------------


def ours(rows: str) -> dict:
    import io

    from django.core.management import call_command

    path, said = _out(), io.StringIO()
    # The list's own search filter selects the bench's rows (their numbers hold "HN-BENCH-").
    call_command("export_ledger", "--user", BENCH_USER, "--out", path, "--q", PREFIX, stdout=said)
    # "export_ledger: N hazards written to FILE"
    return {"rows": int(said.getvalue().split()[1]), "bytes": os.path.getsize(path), "path": path}


def ours_xlsxwriter(rows: str) -> dict:
    from ledger.export import write_ledger

    path = _out()
    count = write_ledger(path, user=_user(), params={"q": PREFIX}, writer="python")
    return {"rows": count, "bytes": os.path.getsize(path), "path": path}


def bare_native(rows: str) -> dict:
    import rvgsrust_xlsxwriter

    from ledger.columns import LEDGER_FIELDS

    path = _out()
    workbook = rvgsrust_xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet(None, True)
    dates = rvgsrust_xlsxwriter.Format().set_num_format("yyyy-mm-dd")
    for col, name in enumerate(LEDGER_FIELDS):
        if name in ("found_on", "deadline", "verified_at", "closed_at"):
            sheet.set_column_format(col, dates)
    count = _write_plain_rows(sheet)
    workbook.close()
    return {"rows": count, "bytes": os.path.getsize(path), "path": path}


def _write_plain_rows(sheet) -> int:
    """The header and the plain rows, one write_row call each (XlsxWriter's and rust_xlsxwriter's alike)."""
    from ledger.columns import LEDGER_FIELDS

    sheet.write_row(0, 0, list(LEDGER_FIELDS))
    count = 0
    for values in _plain_rows():
        count += 1
        sheet.write_row(count, 0, values)
    return count


def bare_rustpy(rows: str) -> dict:
    import rustpy_xlsxwriter

    from ledger.columns import LEDGER_FIELDS

    path, count = _out(), 0

    def records():
        nonlocal count
        for values in _plain_rows():
            count += 1
            yield dict(zip(LEDGER_FIELDS, values, strict=True))

    rustpy_xlsxwriter.write_worksheet(records(), path, datetime_format="yyyy-mm-dd")
    return {"rows": count, "bytes": os.path.getsize(path), "path": path}


def import_export(rows: str) -> dict:
    from import_export import resources

    from hazards.models import Hazard

    class HazardResource(resources.ModelResource):
        class Meta:
            model = Hazard
            fields = FIELDS

    queryset = _queryset().select_related(
        "industry", "region__parent", "unit", "found_by", "rectifying_unit", "verified_by", "listed_by", "campaign"
    )
    dataset = HazardResource().export(queryset=queryset)
    path = _out()
    with open(path, "wb") as output:
        output.write(dataset.export("xlsx"))
    return {"rows": len(dataset), "bytes": os.path.getsize(path), "path": path}


def bare_xlsxwriter(rows: str) -> dict:
    import xlsxwriter

    path = _out()
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
    count = _write_plain_rows(workbook.add_worksheet())
    workbook.close()
    return {"rows": count, "bytes": os.path.getsize(path), "path": path}


def bare_openpyxl(rows: str) -> dict:
    from openpyxl import Workbook

    from ledger.columns import LEDGER_FIELDS

    path = _out()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(LEDGER_FIELDS)
    count = 0
    for values in _plain_rows():
        sheet.append(values)
        count += 1
    workbook.save(path)
    return {"rows": count, "bytes": os.path.getsize(path), "path": path}


def _plain_rows():
    """The ledger query's values, made writable as plainly as possible: local dates, floats.

    The chain's layers already come as text, made by the database (ledger.columns.CHAIN_FIELDS)."""
    from django.utils import timezone

    from ledger.export import ledger_rows

    # The export's own reading of the rows (ids in order, then columns by id): the writers differ, not the fetch.
    for values in ledger_rows(_queryset()):
        yield [
            float(value)
            if isinstance(value, Decimal)
            else timezone.localtime(value).date()
            if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None
            else value
            for value in values
        ]


FIELDS = (
    "number",
    "title",
    "description",
    "industry__name_zh",
    "level",
    "source",
    "region__parent__name",
    "region__name",
    "unit__name",
    "site_name",
    "location",
    "found_on",
    "found_by__username",
    "measures",
    "funds",
    "rectifying_unit__name",
    "responsible_person",
    "responsibility_chain",
    "deadline",
    "extension_count",
    "state",
    "verified_by__username",
    "verified_at",
    "closed_at",
    "listed_level",
    "listed_by__name",
    "on_the_spot",
    "campaign__name",
)
