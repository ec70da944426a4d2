"""The deadline scan (issues 5 and 19.3) at 100,000 and 1,000,000 hazards with the same hazards due.

The scan is set-based SQL: the database computes and inserts each batch's reminders, plans their
deliveries and queues the webhook events; a rerun finds nothing to do. Targets (issue 19.3), with
100,000 hazards due: the first run under 15 s, the rerun under 2 s, peak memory under 150 MB, and
each case's time at 1M over its time at 100k under 2 (the ledger grows tenfold, what is due does not).

Cases, each in a fresh process (bench._common.measure):
- floor: a bare SELECT count(*) of the due open work (what any scan has to read), the reference;
- scan, first run: creates every due reminder and its delivery rows (in-app: the reminder, planned, is
  in its recipient's bell; its notification is written when they open their notifications);
- scan, rerun: the same day again, which must create nothing.

The bench's hazards are numbered HN-BENCHR-…, found in 2020 and scanned as of 2020-06-15, so that
other hazards in the database (the demo's, bench/export.py's, a copy of hs_bench_1m) are never due
on that day. The ledger is topped up to each size with filler hazards in every state, the open ones
with later deadlines, the finished ones with earlier ones: the index has to skip both. Rows are
created once (COPY) and kept for the next run; the reminders are deleted before each first run.
With --reminders-webhook, one province-wide endpoint subscribes to overdue and escalated, so the
scan also queues those events.

Run against a scratch PostgreSQL database (a copy of hs_bench_1m for 1M), e.g.:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hunan_bench_rem python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hunan_bench_rem python -m bench reminders
or alone: python -m bench.reminders [--reminders-sizes 100000 1000000] [--reminders-due 100000]
"""

import argparse
import csv
import io
import json
import random
import sys
from dataclasses import asdict
from datetime import date, timedelta

from bench._common import Measurement, measure, setup_django

NAME = "reminders"
TODAY = date(2020, 6, 15)
PREFIX = "HN-BENCHR-"
DUE_PREFIX = f"{PREFIX}D-"
FILLER_PREFIX = f"{PREFIX}F-"
UNITS = 50
BATCH = 5000


def add_arguments(parser) -> None:
    parser.add_argument(
        "--reminders-sizes",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        metavar="N",
        help="ledger sizes to scan (default 100000 1000000)",
    )
    parser.add_argument(
        "--reminders-due", type=int, default=100_000, metavar="N", help="hazards due at every size (default 100000)"
    )
    parser.add_argument(
        "--reminders-webhook",
        action="store_true",
        help="subscribe one province-wide webhook endpoint to overdue and escalated",
    )


def run(options) -> list[Measurement]:
    from django.db import connection

    from hazards.models import Hazard

    if connection.vendor != "postgresql":
        print("[bench] reminders: meaningful on PostgreSQL only (set DATABASE_URL)", file=sys.stderr)
    measurements, by_size = [], {}
    for size in sorted(options.reminders_sizes):
        people = ensure_people()
        ensure_due(options.reminders_due, people)
        ensure_filler(size, people)
        ensure_endpoint(options.reminders_webhook)
        analyze()
        forget_reminders()
        ledger = Hazard.objects.count()
        if ledger > size * 1.15:
            print(
                f"[bench] reminders: the ledger already holds {ledger:,} hazards, more than {size:,}: "
                "use a fresh database to measure the smaller sizes",
                file=sys.stderr,
            )
        day = TODAY.isoformat()
        floor = measure(NAME, "floor: SELECT count(*) of the due", ledger, "bench.reminders:due_count", day)
        first = measure(NAME, "scan, first run", ledger, "bench.reminders:scan", day)
        rerun = measure(NAME, "scan, rerun", ledger, "bench.reminders:scan", day)
        floor.note = f"{floor.extra['due']:,} hazards due"
        first.note = f"{sum(first.extra.values()):,} reminders, {_rows_per_second(first)}"
        if sum(rerun.extra.values()):
            raise RuntimeError(f"the rerun created reminders: {rerun.extra}")
        rerun.note = "created nothing"
        by_size[size] = [floor, first, rerun]
        measurements += by_size[size]
    smallest, largest = min(by_size), max(by_size)
    if smallest != largest:
        for small, large in zip(by_size[smallest], by_size[largest], strict=True):
            large.note += f"; {large.seconds / small.seconds:.2f}× the time at {small.rows:,}"
    return measurements


def _rows_per_second(measurement: Measurement) -> str:
    return f"{sum(measurement.extra.values()) / measurement.seconds:,.0f} reminders/s"


# --- The measured calls (each in a subprocess of its own) --------------------------------------


def scan(day: str) -> dict:
    from notifications.reminders import scan_deadlines

    return scan_deadlines(today=date.fromisoformat(day))


def due_count(day: str) -> dict:
    """The floor: what any scan has to read, counted by the database (the partial index of open work)."""
    from hazards.models import OPEN_WORK_STATES, Hazard
    from notifications.reminders import Ladder

    horizon = Ladder.from_settings().due_soon_horizon(date.fromisoformat(day))
    return {"due": Hazard.objects.filter(state__in=OPEN_WORK_STATES, deadline__lte=horizon).count()}


# --- The data ---------------------------------------------------------------------------------


def ensure_people() -> dict:
    """The bench's units, their members and the posts of the chain (created once)."""
    from django.contrib.auth.models import Group

    from accounts.credit_codes import build_credit_code
    from accounts.models import Industry, Organization, Post, Region, User
    from accounts.roles import Role
    from hazards.responsibility import ChainEntry

    county = Region.objects.get(code="430181")
    industry = Industry.objects.get(code="fireworks-production")

    def user(username: str, organization, *roles) -> User:
        person, created = User.objects.get_or_create(
            username=username, defaults={"organization": organization, "last_name": "基准"}
        )
        if created and roles:
            person.groups.set(Group.objects.filter(name__in=roles))
        return person

    def organization(name: str, kind: str, **fields) -> Organization:
        return Organization.objects.get_or_create(name=name, region=county, defaults={"kind": kind, **fields})[0]

    def post(title: str, duty: str, body, holder) -> Post:
        return Post.objects.get_or_create(
            organization=body, title=title, defaults={"duty": duty, "region": county, "holder": holder}
        )[0]

    department = organization("基准提醒应急管理局", Organization.Kind.DEPARTMENT)
    department.industries.add(industry.parent or industry)
    government = organization("基准提醒人民政府", Organization.Kind.GOVERNMENT)
    user("bench-rem-head", department, Role.DEPARTMENT_HEAD)
    chief = post("局长", Post.Duty.PRINCIPAL, department, user("bench-rem-chief", department))
    safety = post("副市长（安全生产）", Post.Duty.SAFETY_LEAD, government, user("bench-rem-safety", government))
    portfolio = post("副市长（烟花爆竹）", Post.Duty.PORTFOLIO_LEAD, government, user("bench-rem-leader", government))
    units, chains = [], []
    for index in range(UNITS):
        unit = organization(
            f"基准提醒烟花厂{index:02d}",
            Organization.Kind.ENTERPRISE,
            credit_code=build_credit_code(region_code=county.code, serial=40000000 + index),
        )
        for member in range(2):
            user(f"bench-rem-{index:02d}-{member}", unit, Role.RECTIFYING_UNIT)
        manager = post("总经理", Post.Duty.PRINCIPAL, unit, user(f"bench-rem-{index:02d}-manager", unit))
        units.append(unit)
        chains.append(
            [
                asdict(ChainEntry.from_post(layer, chosen))
                for layer, chosen in [
                    ("enterprise", manager),
                    ("department", chief),
                    ("territorial", safety),
                    ("leadership", portfolio),
                ]
            ]
        )
    return {
        "county": county,
        "industry": industry,
        "finder": User.objects.get(username="bench-rem-chief"),
        "units": units,
        "chains": chains,
        "listing_body": department,
    }


def _hazard(number: str, serial: int, people: dict, **fields):
    from hazards.models import Hazard

    unit = people["units"][serial % UNITS]
    return Hazard(
        number=number,
        title=f"基准提醒隐患{serial}：工房超员超量",
        description="工房内药物存量超过核定药量，作业人员超过定员。",
        industry=people["industry"],
        region=people["county"],
        unit=unit,
        found_by=people["finder"],
        rectifying_unit=unit,
        responsibility_chain=people["chains"][serial % UNITS],
        **fields,
    )


def ensure_due(count: int, people: dict) -> None:
    """`count` open hazards whose deadlines fall from 30 days before TODAY to 3 days after."""
    from hazards.models import Hazard, HazardState

    existing = Hazard.objects.filter(number__startswith=DUE_PREFIX).count()
    if existing >= count:
        return
    batch = []
    for serial in range(existing, count):
        major = serial % 10 == 0
        batch.append(
            _hazard(
                f"{DUE_PREFIX}{serial:07d}",
                serial,
                people,
                found_on=TODAY - timedelta(days=60),
                deadline=TODAY + timedelta(days=3 - serial % 34),
                state=HazardState.ASSIGNED if serial % 2 else HazardState.RECTIFYING,
                level="major" if major else "general",
                listed_level="city" if major and serial % 20 == 0 else "",
                listed_by=people["listing_body"] if major and serial % 20 == 0 else None,
            )
        )
    Hazard.objects.bulk_create(batch, batch_size=BATCH)


def _filler_fields(serial: int, randomiser: random.Random) -> dict:
    """State, found and deadline of a filler hazard: never due on TODAY."""
    from hazards.models import HazardState

    states = [state for state, _label in HazardState.choices]
    state = states[serial % len(states)]
    if state in (HazardState.ASSIGNED, HazardState.RECTIFYING):
        found_on = TODAY + timedelta(days=randomiser.randint(1, 700))
        deadline = found_on + timedelta(days=randomiser.randint(4, 90))
    elif state == HazardState.REPORTED:
        found_on, deadline = TODAY - timedelta(days=randomiser.randint(0, 700)), None
    else:
        found_on = TODAY - timedelta(days=randomiser.randint(100, 700))
        deadline = found_on + timedelta(days=randomiser.randint(5, 90))
    return {"state": str(state), "found_on": found_on, "deadline": deadline}


def ensure_filler(size: int, people: dict) -> None:
    """Hazards never due on TODAY, up to `size` in the ledger (whatever else it holds): open ones
    with later deadlines, finished ones with earlier ones.

    On PostgreSQL they are loaded with COPY (a million rows in well under a minute), each row the
    database values of a model instance with the varying fields replaced; elsewhere bulk_create.
    """
    from django.db import connection

    from hazards.models import Hazard

    existing = Hazard.objects.filter(number__startswith=FILLER_PREFIX).count()
    count = existing + size - Hazard.objects.count()
    if existing >= count:
        return
    randomiser = random.Random(existing)
    if connection.vendor != "postgresql":
        batch = [
            _hazard(f"{FILLER_PREFIX}{serial:08d}", serial, people, **_filler_fields(serial, randomiser))
            for serial in range(existing, count)
        ]
        Hazard.objects.bulk_create(batch, batch_size=BATCH)
        return
    template = _hazard(f"{FILLER_PREFIX}template", 0, people, found_on=TODAY, state="reported")
    fields = [field for field in Hazard._meta.concrete_fields if not field.primary_key]
    base = []
    for field in fields:
        value = field.pre_save(template, add=True)
        if field.get_internal_type() == "JSONField":
            value = json.dumps(value, ensure_ascii=False)
        elif value is not None and not isinstance(value, (str, int, float)):
            value = str(value)
        base.append(value)
    column = {field.attname: index for index, field in enumerate(fields)}
    # csv writes None as "", which FORCE_NULL reads as NULL (the nullable columns are dates, numbers, keys).
    nullable = ", ".join(field.column for field in fields if field.null)
    columns = ", ".join(field.column for field in fields)
    copy = f"COPY hazards_hazard ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NULL ({nullable}))"
    for start in range(existing, count, 100_000):
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
        for serial in range(start, min(start + 100_000, count)):
            row = list(base)
            unit = people["units"][serial % UNITS]
            varying = {
                "number": f"{FILLER_PREFIX}{serial:08d}",
                "unit_id": unit.pk,
                "rectifying_unit_id": unit.pk,
                **_filler_fields(serial, randomiser),
            }
            for name, value in varying.items():
                row[column[name]] = value.isoformat() if isinstance(value, date) else value
            writer.writerow(row)
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(copy, buffer)
        print(f"[bench] reminders: {min(start + 100_000, count):,} filler hazards", file=sys.stderr, flush=True)


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give them soon after."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM too: the visibility map lets the scan's key reads be index-only, as in a live database.
            cursor.execute("SET statement_timeout = 0")  # a bulk load's VACUUM outlasts a web request's limit
            cursor.execute("VACUUM ANALYZE hazards_hazard")


def ensure_endpoint(wanted: bool) -> None:
    """One province-wide endpoint for overdue and escalated (on with --reminders-webhook, else off)."""
    from api.models import WebhookEndpoint

    name = "基准提醒一张图平台"
    if wanted:
        WebhookEndpoint.objects.update_or_create(
            name=name,
            defaults={"url": "http://127.0.0.1:9/", "secret": "bench", "events": ["overdue", "escalated"]},
        )
    else:
        WebhookEndpoint.objects.filter(name=name).update(is_active=False)


def forget_reminders() -> None:
    """The bench's reminders and what hangs off them, so that the first run creates them all again."""
    from django.db import connection

    from api.models import WebhookDelivery
    from hazards.models import Hazard
    from notifications.models import Delivery, Notification, Reminder

    bench = f"SELECT id FROM {Hazard._meta.db_table} WHERE number LIKE %s"
    reminders = f"SELECT id FROM {Reminder._meta.db_table} WHERE hazard_id IN ({bench})"
    with connection.cursor() as cursor:
        for table, condition in [
            (Delivery._meta.db_table, f"reminder_id IN ({reminders})"),
            (Notification._meta.db_table, f"reminder_id IN ({reminders})"),
            (Reminder._meta.db_table, f"hazard_id IN ({bench})"),
            (WebhookDelivery._meta.db_table, f"hazard_id IN ({bench})"),
        ]:
            cursor.execute(f"DELETE FROM {table} WHERE {condition}", [f"{PREFIX}%"])
        if connection.vendor == "postgresql":
            cursor.execute("SET statement_timeout = 0")
            for model in (Delivery, Notification, Reminder, WebhookDelivery):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import table

    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    options = parser.parse_args(argv)
    setup_django()
    print(table(run(options)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
