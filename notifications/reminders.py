"""The reminder ladder and the daily digest (DESIGN.md section 6): what is due on a day, and for whom.

`scan_deadlines` is what the beat task and `manage.py remind_overdue` both run. For the hazards
whose unit still has the work (assigned, rectifying) and whose deadline is near or past, it finds
the rung of the ladder each has reached on the day:

- due soon: within N days before the deadline (settings.REMINDERS["due_soon"]["days_before"], 3);
- due today;
- overdue: from the day after, a new reminder every M days ("every_days", 3);
- escalation: K days overdue ("days_overdue", 7; "days_overdue_major", 1), up the chain (一岗双责);

(days are working days on the official calendar unless settings.REMINDER_DAY_COUNT is "calendar")
and inserts one `Reminder` row per rung and person, ignoring rows that already exist: the unique
key (hazard, stage, deadline, sequence, recipient) makes a rerun, a retried task or a second beat
harmless, and an extension (a new deadline) starts a new ladder. A rung is computed from the day
rather than matched to it, so a scan that missed a day (beat or broker down) catches up with the
rung reached meanwhile, once.

The database does the work (issue 19.3). The ladder stays the one rule, in Python: for the few
hundred calendar dates the due deadlines span, `Ladder.rungs_by_deadline` lists the rungs each date
has reached (the calendar counts the days); SQL only matches deadlines against that table. Batch by
batch along the partial index of open work by (deadline, id), one INSERT … SELECT … ON CONFLICT DO
NOTHING finds each due hazard's rungs, skips the rungs already created, finds the people of each
rung's groups and inserts the rows; its RETURNING ids are what the webhook events (overdue,
escalated) and the deliveries are made from, in the same transaction. No due hazard is loaded into
Python, so memory stays flat, and a rerun costs about what counting the due hazards does. Batches
hold disjoint hazards: on PostgreSQL, settings.REMINDER_SCAN_WORKERS of them run side by side, each
in its own transaction on a connection of its own, so that the database uses more than one core.
"""

import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.models import Count, QuerySet, prefetch_related_objects
from django.utils import timezone

from accounts.models import Post, Region, User
from accounts.roles import Role
from hazards.models import OPEN_WORK_STATES, Hazard
from hazards.responsibility import LAYERS
from hazards.states import overdue_q
from hunan_safety.compiled import CompiledQuery
from notifications import delivery, sql
from notifications.models import Delivery, Digest, Reminder
from notifications.signals import deadline_reached
from rules.calendar import WorkingCalendar, working_calendar

Stage = Reminder.Stage

# Who a stage can be sent to (settings.REMINDERS[stage]["recipients"]).
RECIPIENT_GROUPS = ("unit", *LAYERS, "department_heads", "listing_body")


@dataclass(frozen=True)
class Ladder:
    """The rungs and their recipients, from settings.REMINDERS."""

    due_soon_days: int
    overdue_every_days: int
    escalation_days: int
    escalation_days_major: int
    recipients: dict[str, tuple[str, ...]]
    # The working-day calendar, or None to count calendar days (settings.REMINDER_DAY_COUNT).
    calendar: WorkingCalendar | None = None

    @classmethod
    def from_settings(cls) -> "Ladder":
        config = settings.REMINDERS
        try:
            recipients = {stage: tuple(config[stage]["recipients"]) for stage in Stage.values}
            ladder = cls(
                due_soon_days=max(int(config["due_soon"]["days_before"]), 0),
                overdue_every_days=max(int(config["overdue"]["every_days"]), 0),
                escalation_days=max(int(config["escalation"]["days_overdue"]), 1),
                escalation_days_major=max(int(config["escalation"]["days_overdue_major"]), 1),
                recipients=recipients,
                calendar=working_calendar() if settings.REMINDER_DAY_COUNT == "working" else None,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"settings.REMINDERS is incomplete or malformed: {error!r}") from None
        unknown = {group for groups in recipients.values() for group in groups} - set(RECIPIENT_GROUPS)
        if unknown:
            raise ImproperlyConfigured(
                f"settings.REMINDERS names unknown recipients {sorted(unknown)}; use {', '.join(RECIPIENT_GROUPS)}"
            )
        return ladder

    def days_between(self, today: date, deadline: date) -> int:
        """Days from `today` to `deadline` (negative once past), counted as settings.REMINDER_DAY_COUNT says."""
        if self.calendar is None:
            return (deadline - today).days
        return self.calendar.working_days_between(today, deadline)

    def due_soon_horizon(self, today: date) -> date:
        """The latest deadline that is "due soon" on `today`: the scan reads deadlines up to it.

        With working days, a deadline on a holiday counts from the working days before it, so the
        horizon is the day before the (N+1)-th working day, holidays after the N-th included.
        """
        if self.calendar is None:
            return today + timedelta(days=self.due_soon_days)
        return self.calendar.add_working_days(today, self.due_soon_days + 1) - timedelta(days=1)

    def overdue_cutoff(self, today: date, days: int) -> date:
        """The latest deadline that is at least `days` days overdue on `today` (escalation's bound)."""
        if self.calendar is None:
            return today - timedelta(days=max(days, 1))
        cutoff = today - timedelta(days=1)
        while self.days_between(cutoff, today) < days:
            cutoff -= timedelta(days=1)
        return cutoff

    def rungs(self, *, deadline: date, today: date, major: bool) -> list[tuple[str, int]]:
        """The (stage, sequence) reached on `today` by a hazard with this deadline."""
        if deadline > today:
            return [(Stage.DUE_SOON, 0)] if self.days_between(today, deadline) <= self.due_soon_days else []
        if deadline == today:
            return [(Stage.DUE_TODAY, 0)]
        # A day past the deadline is overdue even when it is a holiday; the repeats count working days.
        overdue = max(self.days_between(deadline, today), 1)
        sequence = (overdue - 1) // self.overdue_every_days if self.overdue_every_days else 0
        rungs: list[tuple[str, int]] = [(Stage.OVERDUE, sequence)]
        if overdue >= (self.escalation_days_major if major else self.escalation_days):
            rungs.append((Stage.ESCALATION, 0))
        return rungs

    def rungs_by_deadline(self, *, today: date, first: date, last: date) -> list[dict[str, Any]]:
        """`rungs` for every calendar date from `first` to `last`, as the rows the scan joins on.

        A row is {deadline, stage, sequence, major}: major None when the rung is the same for both
        levels, True or False when only major (or only general) hazards reach it (escalation). The
        scan's SQL compares deadlines with these dates only: the ladder and its calendar stay here.
        """
        rows: list[dict[str, Any]] = []
        day = first
        while day <= last:
            general = self.rungs(deadline=day, today=today, major=False)
            major = self.rungs(deadline=day, today=today, major=True)
            for rung in dict.fromkeys([*general, *major]):
                level = None if rung in general and rung in major else rung in major
                rows.append({"deadline": day.isoformat(), "stage": rung[0], "sequence": rung[1], "major": level})
            day += timedelta(days=1)
        return rows


# Due hazards are taken in batches of this many, along the partial index of open work by deadline.
SCAN_BATCH = 5_000


def open_work_until(horizon: date) -> QuerySet[Hazard, tuple[date, int]]:
    """The keys (deadline, id) of the open work with a deadline up to `horizon`, in the index's order.

    The partial index of open work by (deadline, id) answers it; the order is what lets PostgreSQL
    walk the index to each batch's bound instead of reading the ledger (finished hazards have past
    deadlines too, so "deadline <= horizon" alone looks like half the table to its statistics).
    """
    return (
        Hazard.objects.filter(state__in=OPEN_WORK_STATES, deadline__lte=horizon)
        .order_by("deadline", "pk")
        .values_list("deadline", "pk")
    )


Key = tuple[date, int]
# A planner's claim on the rows it inserts: (token, time), as Reminder.claimed_by and claimed_at.
Claim = tuple[uuid.UUID, datetime]


class _Scan:
    """One day's scan: INSERT … SELECT … ON CONFLICT DO NOTHING, batch by batch of due hazards."""

    def __init__(self, *, today: date, scan: uuid.UUID, ladder: Ladder):
        self.today, self.scan, self.ladder = today, scan, ladder
        self.horizon = ladder.due_soon_horizon(today)
        self.open_work = open_work_until(self.horizon)
        # The stages each group of people is reminded at (settings.REMINDERS[stage]["recipients"]).
        self.stages = {
            group: [stage for stage, groups in ladder.recipients.items() if group in groups]
            for group in RECIPIENT_GROUPS
        }
        self._heads: list[dict] | None = None
        self._listing: list[dict] | None = None
        # Each thread's batch has its own table of rungs (scan_deadlines may run batches side by side).
        self._local = threading.local()
        # The reminders this scan inserted, per stage (from the inserts' RETURNING: a concurrent scan's do not count).
        self.created: Counter[str] = Counter()
        self._created_lock = threading.Lock()

    def read_people(self) -> None:
        """Read the few people every batch shares (heads, listing bodies) before batches run side by side."""
        self.heads()
        self.listing_bodies()

    # --- The batches: bounds read from the partial index, nothing else ---------------------------

    def batches(self) -> Iterator[tuple[Key | None, Key | None]]:
        """The (after, until] keys of each batch of due hazards (None: open-ended)."""
        after: Key | None = None
        table = Hazard._meta.db_table
        states, state_params = sql.placeholders(OPEN_WORK_STATES)
        deadline = Hazard._meta.get_field("deadline")
        while True:
            where, params = (
                f"state IN ({states}) AND deadline <= %s",
                [*state_params, sql.value(deadline, self.horizon)],
            )
            if after is not None:
                where += " AND deadline >= %s AND (deadline, id) > (%s, %s)"
                params += [sql.value(deadline, after[0]), sql.value(deadline, after[0]), after[1]]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT deadline, id FROM {table} WHERE {where} ORDER BY deadline, id LIMIT 1 OFFSET %s",
                    [*params, SCAN_BATCH - 1],
                )
                row = cursor.fetchone()
            until = (_as_date(row[0]), row[1]) if row else None
            yield after, until
            if until is None:
                return
            after = until

    def _rung_table(self, after: Key | None, until: Key | None) -> str:
        """The ladder's rungs for the deadlines a batch can hold, as a JSON parameter."""
        tables = getattr(self._local, "rung_tables", {})
        if (after, until) not in tables:
            if after is not None:
                first = after[0]
            else:
                first = self.open_work.order_by("deadline").values_list("deadline", flat=True).first() or self.today
            last = until[0] if until is not None else self.horizon
            rows = self.ladder.rungs_by_deadline(today=self.today, first=first, last=last)
            # One batch at a time per thread: its statements share the table, the next batch needs another.
            tables = self._local.rung_tables = {(after, until): sql.records_param(rows)}
        return tables[(after, until)]

    def _rungs_due(self, after: Key | None, until: Key | None) -> tuple[str, list]:
        """The rungs the batch's hazards reached and that do not exist yet: (id, deadline, stage, sequence).

        Read from the partial index of open work alone (its keys and the level it includes), and the
        unique key of the reminders: what a rerun costs.
        """
        hazard, reminder = Hazard._meta.db_table, Reminder._meta.db_table
        states, state_params = sql.placeholders(OPEN_WORK_STATES)
        deadline = Hazard._meta.get_field("deadline")
        rungs = sql.records({"deadline": "date", "stage": "text", "sequence": "int", "major": "boolean"}, "rung")
        bounds, bound_params = "h.deadline <= %s", [sql.value(deadline, self.horizon)]
        if after is not None:
            bounds += " AND h.deadline >= %s AND (h.deadline, h.id) > (%s, %s)"
            bound_params += [sql.value(deadline, after[0]), sql.value(deadline, after[0]), after[1]]
        if until is not None:
            bounds += " AND (h.deadline, h.id) <= (%s, %s)"
            bound_params += [sql.value(deadline, until[0]), until[1]]
        # The batch's keys in the index's order with a LIMIT: that is what makes PostgreSQL walk the
        # partial index even where nearly all open work is due (it would read the table).
        query = f"""
            SELECT batch.id, batch.deadline, rung.stage, rung.sequence
            FROM (
                SELECT h.id, h.deadline, h.level FROM {hazard} h WHERE h.state IN ({states}) AND {bounds}
                ORDER BY h.deadline, h.id LIMIT %s
            ) batch
            JOIN {rungs} ON rung.deadline = batch.deadline
              AND (rung.major IS NULL OR rung.major = (batch.level = %s))
            WHERE NOT EXISTS (
                SELECT 1 FROM {reminder} done
                WHERE done.hazard_id = batch.id AND done.stage = rung.stage
                  AND done.deadline = batch.deadline AND done.sequence = rung.sequence
            )
        """
        return query, [
            *state_params,
            *bound_params,
            SCAN_BATCH,
            self._rung_table(after, until),
            Hazard.Level.MAJOR,
        ]

    def _hits(self, after: Key | None, until: Key | None) -> tuple[str, list]:
        """The batch's due hazards with each rung reached, less the rungs already created."""
        due, params = self._rungs_due(after, until)
        query = f"""
            SELECT h.id, h.deadline, h.region_id, h.rectifying_unit_id, h.listed_by_id,
                   h.responsibility_chain, due.stage, due.sequence
            FROM ({due}) due JOIN {Hazard._meta.db_table} h ON h.id = due.id
        """
        return query, params

    # --- The people: the same groups as settings.REMINDERS names, one arm each -----------------

    def heads(self) -> list[dict]:
        """Department heads with their jurisdiction's prefix (Region.scope_prefix): few, found in Python."""
        if self._heads is None:
            self._heads = []
            if self.stages["department_heads"]:
                rows = User.objects.filter(is_active=True, groups__name=Role.DEPARTMENT_HEAD).values_list(
                    "pk",
                    "organization_id",
                    "region__code",
                    "region__level",
                    "organization__region__code",
                    "organization__region__level",
                )
                self._heads = [
                    {
                        "organization_id": organization_id,
                        "user_id": user_id,
                        "prefix": (
                            Region(code=code, level=level)
                            if code
                            else Region(code=organization_code, level=organization_level)
                        ).scope_prefix,
                    }
                    for user_id, organization_id, code, level, organization_code, organization_level in rows
                    if organization_id and (code or organization_code)
                ]
        return self._heads

    def listing_bodies(self) -> list[dict]:
        """The heads, principals and safety leads of the bodies that list hazards for supervision."""
        if self._listing is None:
            self._listing = []
            if self.stages["listing_body"]:
                bodies = Hazard.objects.filter(listed_by__isnull=False).values("listed_by_id").distinct()
                heads = User.objects.filter(
                    is_active=True, organization_id__in=bodies, groups__name=Role.DEPARTMENT_HEAD
                ).values_list("organization_id", "pk")
                leaders = Post.objects.filter(
                    organization_id__in=bodies,
                    is_active=True,
                    holder__isnull=False,
                    duty__in=[Post.Duty.PRINCIPAL, Post.Duty.SAFETY_LEAD],
                ).values_list("organization_id", "holder_id")
                pairs = sorted({*heads, *leaders})
                self._listing = [{"organization_id": body, "user_id": person} for body, person in pairs]
        return self._listing

    def _layer_condition(self) -> tuple[str, list]:
        """The chain entries (rows of `chain hit`) of a layer some stage is sent to, at that stage."""
        conditions, params = [], []
        for layer in LAYERS:
            if self.stages[layer]:
                marks, values = sql.placeholders(self.stages[layer])
                conditions.append(f"({sql.json_text('hit', 'layer')} = %s AND hit.stage IN ({marks}))")
                params += [layer, *values]
        return " OR ".join(conditions), params

    @staticmethod
    def _chain() -> str:
        """`chain`: each hit's responsibility-chain entries, one row each (id, deadline, stage, sequence,
        region_id, value), expanded once and materialised. Read in place, the planner (which cannot
        count a JSON array) would expand them hazard by hazard, joining the posts anew for each."""
        return f"""chain AS MATERIALIZED (
            SELECT hit.id, hit.deadline, hit.stage, hit.sequence, hit.region_id, entry.value
            FROM hits hit {sql.json_elements("hit.responsibility_chain", "entry")}
        )"""

    def _people(self) -> tuple[str, list]:
        """Who each hit goes to, by the groups of its stage: (hazard, deadline, stage, sequence, person)."""
        arms, params = [], []
        columns = "hit.id, hit.deadline, hit.stage, hit.sequence"
        if self.stages["unit"]:
            marks, values = sql.placeholders(self.stages["unit"])
            arms.append(f"""
                SELECT {columns}, member.id AS person
                FROM hits hit
                JOIN {User._meta.db_table} member ON member.organization_id = hit.rectifying_unit_id
                JOIN {User.groups.through._meta.db_table} membership ON membership.user_id = member.id
                JOIN {Group._meta.db_table} role ON role.id = membership.group_id AND role.name = %s
                WHERE hit.stage IN ({marks})
            """)
            params += [Role.RECTIFYING_UNIT, *values]
        layers, layer_params = self._layer_condition()
        if layers:
            # Whoever holds the post now, else the person the snapshot named. A post that changed
            # hands since the assignment is `successions`' (the new holder may not see the hazard).
            named, post = (
                sql.json_text("hit", "user_id", integer=True),
                sql.json_text("hit", "post_id", integer=True),
            )
            arms.append(f"""
                SELECT {columns},
                       CASE WHEN post.holder_id IS NULL THEN {named}
                            WHEN post.holder_id = {named} THEN post.holder_id END AS person
                FROM chain hit
                LEFT JOIN {Post._meta.db_table} post
                  ON post.id = {post} AND post.is_active AND post.holder_id IS NOT NULL
                WHERE ({layers})
            """)
            params += layer_params
        if self.stages["department_heads"] and self.heads():
            marks, values = sql.placeholders(self.stages["department_heads"])
            heads = sql.records({"organization_id": "bigint", "user_id": "bigint", "prefix": "text"}, "head")
            department = sql.json_text("hit", "organization_id", integer=True)
            arms.append(f"""
                SELECT {columns}, head.user_id AS person
                FROM chain hit
                JOIN {heads} ON head.organization_id = {department}
                WHERE {sql.json_text("hit", "layer")} = 'department' AND hit.stage IN ({marks})
                  AND hit.region_id LIKE head.prefix || '%%'
            """)
            params += [sql.records_param(self.heads()), *values]
        if self.stages["listing_body"] and self.listing_bodies():
            marks, values = sql.placeholders(self.stages["listing_body"])
            bodies = sql.records({"organization_id": "bigint", "user_id": "bigint"}, "body")
            arms.append(f"""
                SELECT {columns}, body.user_id AS person
                FROM hits hit JOIN {bodies} ON body.organization_id = hit.listed_by_id
                WHERE hit.stage IN ({marks})
            """)
            params += [sql.records_param(self.listing_bodies()), *values]
        return " UNION ".join(arms), params

    def insert(self, after: Key | None, until: Key | None, claim: Claim | None) -> list[tuple[int, str]]:
        """Insert a batch's new reminders in the database; return their (id, stage) (RETURNING).

        With a claim (token, time) the rows are written already claimed for planning: the caller
        plans them in the same transaction, so no other planner can see them unclaimed.
        """
        people, people_params = self._people()
        if not people:
            return []
        hits, hit_params = self._hits(after, until)
        field = Reminder._meta.get_field
        # In the order of the unique key (hazard, stage, deadline, sequence, recipient): its index then
        # grows at its right edge, page after page, instead of taking rows in the UNION's hash order.
        query = f"""
            WITH hits AS ({hits}), {self._chain()}, people AS ({people})
            INSERT INTO {Reminder._meta.db_table}
                (hazard_id, stage, deadline, sequence, recipient_id, due_on, created_at, scan, claimed_by, claimed_at)
            SELECT people.id, people.stage, people.deadline, people.sequence, people.person, %s, %s, %s,
                   {sql.typed("uuid")}, {sql.typed("timestamp with time zone")}
            FROM people JOIN {User._meta.db_table} person ON person.id = people.person AND person.is_active
            ORDER BY people.id, people.stage, people.deadline, people.sequence, people.person
            ON CONFLICT DO NOTHING
            RETURNING id, stage
        """
        params = [
            *hit_params,
            *people_params,
            sql.value(field("due_on"), self.today),
            sql.value(field("created_at"), timezone.now()),
            sql.value(field("scan"), self.scan),
            sql.value(field("claimed_by"), claim[0] if claim else None),
            sql.value(field("claimed_at"), claim[1] if claim else None),
        ]
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return [(pk, stage) for pk, stage in cursor.fetchall()]

    def successions(self, after: Key | None, until: Key | None, claim: Claim | None) -> list[Reminder]:
        """The batch's rungs sent to a post that changed hands since the assignment (rare), as
        unsaved reminders: to the new holder if they can see the hazard, else to the person named."""
        layers, layer_params = self._layer_condition()
        if not layers:
            return []
        hits, params = self._hits(after, until)
        named, post = sql.json_text("hit", "user_id", integer=True), sql.json_text("hit", "post_id", integer=True)
        query = f"""
            WITH hits AS ({hits}), {self._chain()}
            SELECT hit.id, hit.deadline, hit.stage, hit.sequence, post.holder_id, {named}
            FROM chain hit
            JOIN {Post._meta.db_table} post ON post.id = {post} AND post.is_active AND post.holder_id IS NOT NULL
            WHERE ({named} IS NULL OR {named} <> post.holder_id) AND ({layers})
        """
        with connection.cursor() as cursor:
            cursor.execute(query, [*params, *layer_params])
            rows = cursor.fetchall()
        if not rows:
            return []
        wanted = _stand_in_for_successors_who_cannot_see(rows)
        active = set(
            User.objects.filter(pk__in={person for *_, person in wanted}, is_active=True).values_list("pk", flat=True)
        )
        now = timezone.now()
        return [
            Reminder(
                hazard_id=hazard_id,
                stage=stage,
                deadline=_as_date(deadline),
                sequence=sequence,
                recipient_id=person,
                due_on=self.today,
                created_at=now,
                scan=self.scan,
                claimed_by=claim[0] if claim else None,
                claimed_at=claim[1] if claim else None,
            )
            for hazard_id, deadline, stage, sequence, person in sorted(set(wanted), key=str)
            if person in active
        ]

    def anything_to_do(self, after: Key | None, until: Key | None) -> bool:
        """Whether the batch has a rung not created yet: a rerun stops here, having written nothing."""
        due, params = self._rungs_due(after, until)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS ({due})", params)
            return bool(cursor.fetchone()[0])

    def insert_batch(self, after: Key | None, until: Key | None, claim: Claim | None = None) -> list[int]:
        """All of a batch's new reminders, stand-ins included; return their ids (and count them in `created`)."""
        if not self.anything_to_do(after, until):
            return []
        sql.tune_bulk_transaction()
        # Before the insert: its rows would hide the batch's rungs from this second look.
        stood_in = self.successions(after, until, claim)
        inserted = self.insert(after, until, claim)
        if stood_in:
            Reminder.objects.bulk_create(stood_in, ignore_conflicts=True)
            ids = {pk for pk, _stage in inserted}
            inserted += (
                Reminder.objects.filter(
                    scan=self.scan,
                    claimed_by=claim[0] if claim else None,
                    hazard_id__in={reminder.hazard_id for reminder in stood_in},
                )
                .exclude(pk__in=ids)
                .values_list("pk", "stage")
            )
        with self._created_lock:
            self.created.update(stage for _pk, stage in inserted)
        return [pk for pk, _stage in inserted]


def _as_date(value: date | str) -> date:
    """A date read by a raw query (SQLite answers text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _stand_in_for_successors_who_cannot_see(rows: list[tuple]) -> list[tuple]:
    """A post changed hands since assignment: remind its new holder if they can see the hazard, else
    the person the snapshot named (who can: named people see what they are named on).

    `rows` are (hazard, deadline, stage, sequence, new holder, person named). One query per new
    holder, and only when posts changed hands: rare, and not per hazard.
    """
    hazards_of: dict[int, set[int]] = defaultdict(set)
    for hazard_id, *_rung, holder, _named in rows:
        hazards_of[holder].add(hazard_id)
    visible: dict[int, set[int]] = {}
    for holder in User.objects.filter(pk__in=hazards_of).select_related("organization__region", "region"):
        visible[holder.pk] = set(
            Hazard.objects.visible_to(holder).filter(pk__in=hazards_of[holder.pk]).values_list("pk", flat=True)
        )
    wanted = []
    for hazard_id, deadline, stage, sequence, holder, named in rows:
        person = holder if hazard_id in visible.get(holder, set()) else named
        if person:
            wanted.append((hazard_id, deadline, stage, sequence, person))
    return wanted


def insert_due_reminders(*, today: date, scan: uuid.UUID, ladder: Ladder | None = None) -> list[int]:
    """Insert the reminders due on `today` that do not exist yet, without planning their deliveries.

    What a scan that dies before planning leaves behind; `scan_deadlines` plans each batch in the
    same transaction as its insert.
    """
    run = _Scan(today=today, scan=scan, ladder=ladder or Ladder.from_settings())
    inserted: list[int] = []
    for after, until in run.batches():
        with transaction.atomic():
            inserted += run.insert_batch(after, until)
    return inserted


def scan_deadlines(*, today: date | None = None, relay: bool = True, workers: int | None = None) -> dict[str, int]:
    """Create the reminders due today, exactly once each; return how many this scan created per stage.

    Each batch, in one transaction: the reminders inserted by the database, the webhook events of the
    rungs it reached (`deadline_reached`: overdue, escalated) and the deliveries of its reminders.
    Batches hold disjoint hazards, so `workers` of them (settings.REMINDER_SCAN_WORKERS) run side by
    side, each on a connection of its own, when the database is PostgreSQL and the caller is not in a
    transaction (the batches must see what the caller sees: in a transaction they run in it, one by one).
    Then the deliveries nobody has planned yet (rows left by a scan that crashed), and `relay` hands
    the outbox to the workers after commit. Pass relay=False to leave them for the caller (e.g. to
    send in-process).
    """
    today = today or timezone.localdate()
    scan = uuid.uuid4()
    run = _Scan(today=today, scan=scan, ladder=Ladder.from_settings())
    run.read_people()

    def scan_batch(after: Key | None, until: Key | None) -> None:
        claim = (uuid.uuid4(), timezone.now())
        with transaction.atomic():
            inserted = run.insert_batch(after, until, claim)
            if inserted:
                deadline_reached.send(sender=Reminder, reminder_ids=inserted)
                delivery.plan_claimed(Reminder, inserted, *claim)

    workers = settings.REMINDER_SCAN_WORKERS if workers is None else workers
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        side_by_side(scan_batch, run.batches(), workers=workers)
    else:
        for after, until in run.batches():
            scan_batch(after, until)
    created = run.created
    delivery.plan_deliveries()
    if relay:
        delivery.relay_deliveries()
    return {stage: created.get(stage, 0) for stage in Stage.values}


def side_by_side(work: Callable[..., None], items: Iterable[tuple], *, workers: int) -> None:
    """`work(*item)` for every item, on `workers` threads, each with its own database connection.

    The items are drawn one at a time (a generator may run queries: it runs in the thread that draws,
    on that thread's connection). The first error stops the drawing and is raised once every thread
    has finished its current item; each thread closes its connection when it is done.
    """
    draw, drawing = iter(items), threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while not errors:
                with drawing:
                    item = next(draw, None)
                if item is None:
                    return
                work(*item)
        except BaseException as error:  # re-raised in the calling thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"scan-batch-{index}") for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# --- The daily digest -------------------------------------------------------------------------


def digest_items(head: User, *, today: date, horizon: date, limit: int) -> tuple[list[dict], int, int]:
    """The overdue and due-soon hazards in a head's scope (the visibility rule), by unit; and the counts."""
    due = Hazard.objects.visible_to(head).filter(state__in=OPEN_WORK_STATES, deadline__lte=horizon)
    # Overdue as hazards/states.py defines it, counted in the same aggregate (not a query per head).
    counts = due.aggregate(total=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    if not counts["total"]:
        return [], 0, 0
    rows = due.order_by("rectifying_unit__name", "rectifying_unit_id", "deadline", "pk").values(
        "pk", "number", "title", "level", "deadline", "rectifying_unit_id", "rectifying_unit__name"
    )[:limit]
    items = [
        {
            "hazard_id": row["pk"],
            "number": row["number"],
            "title": row["title"],
            "major": row["level"] == Hazard.Level.MAJOR,
            "deadline": row["deadline"].isoformat(),
            "days_left": (row["deadline"] - today).days,
            "unit_id": row["rectifying_unit_id"],
            "unit": row["rectifying_unit__name"] or "",
        }
        for row in rows
    ]
    return items, counts["overdue"], counts["total"] - counts["overdue"]


def create_digests(*, today: date | None = None, relay: bool = True) -> int:
    """One digest per department head with anything overdue or due soon in scope; return how many were new.

    A head gets at most one digest a day (unique per recipient and day): reruns change nothing.
    """
    today = today or timezone.localdate()
    ladder = Ladder.from_settings()
    horizon = ladder.due_soon_horizon(today)
    scan = uuid.uuid4()
    already = set(Digest.objects.filter(day=today).values_list("recipient_id", flat=True))
    heads = (
        User.objects.filter(is_active=True, groups__name=Role.DEPARTMENT_HEAD)
        .exclude(pk__in=already)
        .select_related("region", "organization__region")
        .order_by("pk")
    )
    digests = []
    for head in heads:
        items, overdue, due_soon = digest_items(
            head, today=today, horizon=horizon, limit=settings.REMINDER_DIGEST_MAX_ITEMS
        )
        if items:
            digests.append(
                Digest(
                    recipient=head,
                    day=today,
                    items=items,
                    overdue_count=overdue,
                    due_soon_count=due_soon,
                    scan=scan,
                )
            )
    Digest.objects.bulk_create(digests, ignore_conflicts=True, batch_size=500)
    created = Digest.objects.filter(scan=scan).count()
    delivery.plan_deliveries()
    if relay:
        delivery.relay_deliveries()
    return created


# --- What the hazard's page shows -------------------------------------------------------------

TIMELINE_RUNGS = 12


# The in-app channel of a planned reminder: in its recipient's bell as soon as it was planned.
IN_APP_SENT: dict[str, Any] = {
    "channel": Delivery.Channel.IN_APP,
    "label": Delivery.Channel.IN_APP.label,
    "status": Delivery.Status.SENT,
    "status_label": Delivery.Status.SENT.label,
    "sent": True,
}


# Read on every hazard's page, most often finding none: compiled once (hunan_safety/compiled.py).
_SENT = CompiledQuery(
    lambda hazard_id: (
        Reminder.objects.filter(hazard_id=hazard_id)
        .select_related("recipient")
        .order_by("-due_on", "-deadline", "stage", "sequence", "recipient_id")
    ),
    "hazard_id",
)


def reminders_sent(hazard: Hazard) -> dict:
    """The hazard's reminders for its page, newest rung first: stage, day, people and each channel's status."""
    reminders = _SENT.run(hazard_id=hazard.pk)
    prefetch_related_objects(reminders, "deliveries")
    rungs: dict[tuple, dict] = {}
    for reminder in reminders:
        key = (reminder.due_on, reminder.deadline, reminder.stage, reminder.sequence)
        rung = rungs.setdefault(
            key,
            {
                "due_on": reminder.due_on,
                "deadline": reminder.deadline,
                "stage": reminder.stage,
                "stage_label": reminder.get_stage_display(),
                "days": reminder.days,
                "people": [],
            },
        )
        recipient = reminder.recipient
        channels: list[dict[str, Any]] = [
            {
                "channel": channel_delivery.channel,
                "label": channel_delivery.get_channel_display(),
                "status": channel_delivery.status,
                "status_label": channel_delivery.get_status_display(),
                "sent": channel_delivery.status == Delivery.Status.SENT,
            }
            # In-app rows were written before the notification became the in-app channel's record.
            for channel_delivery in reminder.deliveries.all()
            if channel_delivery.channel != Delivery.Channel.IN_APP
        ]
        if reminder.claimed_at is not None:
            channels.append(IN_APP_SENT)
        rung["people"].append(
            {
                "name": recipient.get_full_name() or recipient.username,
                "channels": sorted(channels, key=lambda channel: str(channel["channel"])),
            }
        )
    all_rungs = list(rungs.values())
    return {"rungs": all_rungs[:TIMELINE_RUNGS], "older": max(len(all_rungs) - TIMELINE_RUNGS, 0)}
