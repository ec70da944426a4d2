"""The reminder ladder and the daily digest (DESIGN.md section 6): what is due on a day, and for whom.

`scan_deadlines` is what the beat task and `manage.py remind_overdue` both run. For the hazards
whose unit still has the work (assigned, rectifying) and whose deadline is near or past, it finds
the rung of the ladder each has reached on the day:

- due soon: within N days before the deadline (settings.REMINDERS["due_soon"]["days_before"], 3);
- due today;
- overdue: from the day after, a new reminder every M days ("every_days", 3);
- escalation: K days overdue ("days_overdue", 7; "days_overdue_major", 1), up the chain (一岗双责);

and inserts one `Reminder` row per rung and person, ignoring rows that already exist: the unique
key (hazard, stage, deadline, sequence, recipient) makes a rerun, a retried task or a second beat
harmless, and an extension (a new deadline) starts a new ladder. A rung is computed from the day
rather than matched to it, so a scan that missed a day (beat or broker down) catches up with the
rung reached meanwhile, once.

The database does the work (issue 19.3): for each batch of due hazards, taken along the partial
index of open work by deadline, one INSERT … SELECT … ON CONFLICT DO NOTHING computes the rungs
from date cutoffs made in Python (`Ladder.deadline_cutoff`: no date arithmetic in SQL), finds the
people of each rung's groups and inserts the rows; its RETURNING ids are what the deliveries are
planned from. A rung already created for a hazard is skipped before its people are looked for, so
a rerun costs about what counting the due hazards does, and memory stays flat: no due hazard is
loaded into Python. Delivery is delivery.py's: in-app at once, e-mail and webhook via the outbox.
"""

import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from accounts.models import Post, Region, User
from accounts.roles import Role
from hazards.models import OPEN_WORK_STATES, Hazard
from hazards.responsibility import LAYERS
from hazards.states import overdue_q
from notifications import delivery
from notifications.models import Delivery, Digest, Reminder

Stage = Reminder.Stage

# Who a stage can be sent to (settings.REMINDERS[stage]["recipients"]).
RECIPIENT_GROUPS = ("unit", *LAYERS, "department_heads", "listing_body")


@dataclass(frozen=True)
class Rung:
    """One rung of the ladder on a day: the hazards whose deadline is in (after, until] reach it."""

    stage: str
    sequence: int
    after: date  # exclusive
    until: date  # inclusive
    level: str | None = None  # escalation differs for general and major hazards


@dataclass(frozen=True)
class Ladder:
    """The rungs and their recipients, from settings.REMINDERS."""

    due_soon_days: int
    overdue_every_days: int
    escalation_days: int
    escalation_days_major: int
    recipients: dict[str, tuple[str, ...]]

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
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"settings.REMINDERS is incomplete or malformed: {error!r}") from None
        unknown = {group for groups in recipients.values() for group in groups} - set(RECIPIENT_GROUPS)
        if unknown:
            raise ImproperlyConfigured(
                f"settings.REMINDERS names unknown recipients {sorted(unknown)}; use {', '.join(RECIPIENT_GROUPS)}"
            )
        return ladder

    @staticmethod
    def deadline_cutoff(today: date, days_past: int) -> date:
        """The latest deadline that is `days_past` days past on `today` (negative: that many days ahead).

        The one place the ladder counts days: the scan compares deadlines with these dates only
        (no date arithmetic in SQL), so counting working days instead changes this function alone.
        """
        return today - timedelta(days=days_past)

    def horizon(self, today: date) -> date:
        """The latest deadline any rung reaches on `today`: due soon's."""
        return self.deadline_cutoff(today, -self.due_soon_days)

    def rungs(self, *, today: date, oldest: date) -> list[Rung]:
        """Every rung reached on `today` by hazards whose deadlines go back to `oldest`.

        Overdue repeats every M days: its n-th rung (sequence n-1) covers the deadlines from
        1 + (n-1)·M up to 1 + n·M days past, so a scan that missed days catches up with the rung
        reached meanwhile, once.
        """
        cutoff = self.deadline_cutoff
        before_all = min(oldest, today) - timedelta(days=1)
        rungs = [Rung(Stage.DUE_TODAY, 0, cutoff(today, 1), today)]
        if self.due_soon_days:
            rungs.append(Rung(Stage.DUE_SOON, 0, today, self.horizon(today)))
        sequence = 0
        while (until := cutoff(today, 1 + sequence * self.overdue_every_days)) >= oldest:
            if not self.overdue_every_days:
                rungs.append(Rung(Stage.OVERDUE, 0, before_all, until))
                break
            after = cutoff(today, 1 + (sequence + 1) * self.overdue_every_days)
            rungs.append(Rung(Stage.OVERDUE, sequence, after, until))
            sequence += 1
        for level, days in (
            (Hazard.Level.GENERAL, self.escalation_days),
            (Hazard.Level.MAJOR, self.escalation_days_major),
        ):
            rungs.append(Rung(Stage.ESCALATION, 0, before_all, cutoff(today, days), level))
        return rungs


# Due hazards are taken in batches of this many, in the order of the partial index of open work.
SCAN_BATCH = 5_000


class _ScanSQL:
    """The scan's SQL for PostgreSQL and SQLite: the same statements, JSON read each one's way."""

    def __init__(self) -> None:
        self.postgresql = connection.vendor == "postgresql"

    def records(self, columns: dict[str, str]) -> str:
        """A JSON array parameter as a table of these columns (name → SQL type)."""
        if self.postgresql:
            definition = ", ".join(f"{name} {kind}" for name, kind in columns.items())
            return f"jsonb_to_recordset(%s::jsonb) AS {{alias}}({definition})"
        fields = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name in columns)
        return f"(SELECT {fields} FROM json_each(%s)) AS {{alias}}"

    def chain(self, hazard: str) -> str:
        """The entries of a hazard's responsibility chain, one row each (alias `entry`)."""
        if self.postgresql:
            return f"CROSS JOIN LATERAL jsonb_array_elements({hazard}.responsibility_chain) AS entry(value)"
        return f"CROSS JOIN json_each({hazard}.responsibility_chain) AS entry"

    def entry(self, key: str, *, integer: bool = False) -> str:
        if self.postgresql:
            return f"(entry.value->>'{key}')::int" if integer else f"(entry.value->>'{key}')"
        return f"json_extract(entry.value, '$.{key}')"

    def value(self, field: Any, value: Any) -> Any:
        """A value as the backend stores it (a UUID as hex on SQLite, a date as text, …)."""
        return field.get_db_prep_value(value, connection)


def _in(values: tuple[str, ...] | list[str]) -> tuple[str, list[str]]:
    return ", ".join(["%s"] * len(values)), list(values)


class _Scan:
    """Inserts one day's due reminders with INSERT … SELECT … ON CONFLICT DO NOTHING, batch by batch."""

    def __init__(self, *, today: date, scan: uuid.UUID, ladder: Ladder):
        self.today, self.scan, self.ladder = today, scan, ladder
        self.sql = _ScanSQL()
        self.open_work = Hazard.objects.filter(state__in=OPEN_WORK_STATES, deadline__lte=ladder.horizon(today))
        oldest = self.open_work.aggregate(oldest=Min("deadline"))["oldest"] or today
        self.rungs = ladder.rungs(today=today, oldest=oldest)
        self.groups = {
            group: [stage for stage, groups in ladder.recipients.items() if group in groups]
            for group in RECIPIENT_GROUPS
        }
        self.heads = self._heads()
        self.listing = self._listing_bodies()

    # The few people found in Python: a head's scope is a region prefix (Region.scope_prefix).

    def _heads(self) -> list[dict]:
        if not self.groups["department_heads"]:
            return []
        heads = User.objects.filter(is_active=True, groups__name=Role.DEPARTMENT_HEAD).values_list(
            "pk",
            "organization_id",
            "region__code",
            "region__level",
            "organization__region__code",
            "organization__region__level",
        )
        return [
            {
                "organization_id": organization_id,
                "user_id": user_id,
                "prefix": (
                    Region(code=code, level=level) if code else Region(code=organization_code, level=organization_level)
                ).scope_prefix,
            }
            for user_id, organization_id, code, level, organization_code, organization_level in heads
            if organization_id and (code or organization_code)
        ]

    def _listing_bodies(self) -> list[dict]:
        """The heads and the principal and safety leads of bodies that list hazards for supervision."""
        if not self.groups["listing_body"]:
            return []
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
        pairs = {(organization_id, user_id) for organization_id, user_id in [*heads, *leaders]}
        return [{"organization_id": organization_id, "user_id": user_id} for organization_id, user_id in sorted(pairs)]

    # The batches

    def batches(self) -> Iterator[tuple[tuple, tuple | None]]:
        """(after, until] keys (deadline, id) of each batch of due hazards, read from the partial index."""
        after: tuple = (date.min, 0)
        while True:
            keys = self.open_work.filter(Q(deadline__gt=after[0]) | Q(deadline=after[0], pk__gt=after[1]))
            last = keys.order_by("deadline", "pk").values_list("deadline", "pk")[SCAN_BATCH - 1 : SCAN_BATCH]
            until = next(iter(last), None)
            yield after, until
            if until is None:
                return
            after = until

    def _hits(self, after: tuple, until: tuple | None) -> tuple[str, list]:
        """The due hazards of a batch with the rung each reached, less the rungs already created."""
        hazard, reminder = Hazard._meta.db_table, Reminder._meta.db_table
        states, state_params = _in(OPEN_WORK_STATES)
        date_field = Hazard._meta.get_field("deadline")
        rungs = self.sql.records(
            {"stage": "text", "sequence": "int", "after": "date", "until": "date", "level": "text"}
        )
        rung_json = json.dumps(
            [{**rung.__dict__, "after": rung.after.isoformat(), "until": rung.until.isoformat()} for rung in self.rungs]
        )
        upper = "AND (h.deadline, h.id) <= (%s, %s)" if until is not None else ""
        query = f"""
            SELECT h.id, h.deadline, h.level, h.region_id, h.rectifying_unit_id, h.listed_by_id,
                   h.responsibility_chain, rung.stage, rung.sequence
            FROM {hazard} h
            JOIN {rungs.format(alias="rung")}
              ON h.deadline > rung.after AND h.deadline <= rung.until AND (rung.level IS NULL OR rung.level = h.level)
            WHERE h.state IN ({states}) AND (h.deadline, h.id) > (%s, %s) {upper}
              AND NOT EXISTS (
                SELECT 1 FROM {reminder} done
                WHERE done.hazard_id = h.id AND done.stage = rung.stage
                  AND done.deadline = h.deadline AND done.sequence = rung.sequence
              )
        """
        params = [rung_json, *state_params, self.sql.value(date_field, after[0]), after[1]]
        if until is not None:
            params += [self.sql.value(date_field, until[0]), until[1]]
        return query, params

    def _people(self) -> tuple[str, list]:
        """Who each hit goes to, by the groups of its stage (one arm per kind of group)."""
        arms, params = [], []
        stages = self.groups
        if stages["unit"]:
            marks, values = _in(stages["unit"])
            arms.append(f"""
                SELECT hit.id, hit.deadline, hit.stage, hit.sequence, member.id AS person
                FROM hits hit
                JOIN {User._meta.db_table} member ON member.organization_id = hit.rectifying_unit_id
                JOIN {User.groups.through._meta.db_table} membership ON membership.user_id = member.id
                JOIN auth_group role ON role.id = membership.group_id AND role.name = %s
                WHERE hit.stage IN ({marks})
            """)
            params += [Role.RECTIFYING_UNIT, *values]
        layers = [(layer, stages[layer]) for layer in LAYERS if stages[layer]]
        if layers:
            # Reminders go to who holds the post now; a post that changed hands since the
            # assignment is left to _successions (the new holder may not see the hazard).
            conditions = []
            for layer, layer_stages in layers:
                marks, values = _in(layer_stages)
                conditions.append(f"({self.sql.entry('layer')} = %s AND hit.stage IN ({marks}))")
                params += [layer, *values]
            named, post = self.sql.entry("user_id", integer=True), self.sql.entry("post_id", integer=True)
            arms.append(f"""
                SELECT hit.id, hit.deadline, hit.stage, hit.sequence,
                       CASE WHEN post.holder_id IS NULL THEN {named}
                            WHEN {named} IS NULL OR {named} = post.holder_id THEN post.holder_id END AS person
                FROM hits hit {self.sql.chain("hit")}
                LEFT JOIN {Post._meta.db_table} post
                  ON post.id = {post} AND post.is_active AND post.holder_id IS NOT NULL
                WHERE ({" OR ".join(conditions)})
            """)
        if stages["department_heads"] and self.heads:
            marks, values = _in(stages["department_heads"])
            heads = self.sql.records({"organization_id": "int", "user_id": "int", "prefix": "text"})
            arms.append(f"""
                SELECT hit.id, hit.deadline, hit.stage, hit.sequence, head.user_id AS person
                FROM hits hit {self.sql.chain("hit")}
                JOIN {heads.format(alias="head")} ON head.organization_id = {self.sql.entry("organization_id", integer=True)}
                WHERE {self.sql.entry("layer")} = 'department' AND hit.stage IN ({marks})
                  AND hit.region_id LIKE head.prefix || '%%'
            """)
            params += [json.dumps(self.heads), *values]
        if stages["listing_body"] and self.listing:
            marks, values = _in(stages["listing_body"])
            bodies = self.sql.records({"organization_id": "int", "user_id": "int"})
            arms.append(f"""
                SELECT hit.id, hit.deadline, hit.stage, hit.sequence, body.user_id AS person
                FROM hits hit JOIN {bodies.format(alias="body")} ON body.organization_id = hit.listed_by_id
                WHERE hit.stage IN ({marks})
            """)
            params += [json.dumps(self.listing), *values]
        return " UNION ".join(arms), params

    def insert(self, after: tuple, until: tuple | None) -> list[tuple[int, str]]:
        """Insert a batch's new reminders in the database; return their (id, stage), from RETURNING."""
        hits, hit_params = self._hits(after, until)
        people, people_params = self._people()
        if not people:
            return []
        field = Reminder._meta.get_field
        query = f"""
            WITH hits AS ({hits}), people AS ({people})
            INSERT INTO {Reminder._meta.db_table}
                (hazard_id, stage, deadline, sequence, recipient_id, due_on, created_at, scan)
            SELECT DISTINCT people.id, people.stage, people.deadline, people.sequence, people.person, %s, %s, %s
            FROM people JOIN {User._meta.db_table} person ON person.id = people.person AND person.is_active
            WHERE people.person IS NOT NULL
            ON CONFLICT DO NOTHING
            RETURNING id, stage
        """
        params = [
            *hit_params,
            *people_params,
            self.sql.value(field("due_on"), self.today),
            self.sql.value(field("created_at"), timezone.now()),
            self.sql.value(field("scan"), self.scan),
        ]
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def successions(self, after: tuple, until: tuple | None) -> list[Reminder]:
        """The batch's reminders whose post changed hands since the assignment (rare): checked in Python."""
        if not any(self.groups[layer] for layer in LAYERS):
            return []
        hits, params = self._hits(after, until)
        named, post = self.sql.entry("user_id", integer=True), self.sql.entry("post_id", integer=True)
        conditions = []
        for layer in LAYERS:
            if self.groups[layer]:
                marks, values = _in(self.groups[layer])
                conditions.append(f"({self.sql.entry('layer')} = %s AND hit.stage IN ({marks}))")
                params += [layer, *values]
        query = f"""
            WITH hits AS ({hits})
            SELECT hit.id, hit.deadline, hit.stage, hit.sequence, post.holder_id, {named}
            FROM hits hit {self.sql.chain("hit")}
            JOIN {Post._meta.db_table} post ON post.id = {post} AND post.is_active AND post.holder_id IS NOT NULL
            WHERE {named} IS NOT NULL AND {named} <> post.holder_id AND ({" OR ".join(conditions)})
        """
        with connection.cursor() as cursor:
            cursor.execute(query, params)
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
                deadline=deadline,
                sequence=sequence,
                recipient_id=person,
                due_on=self.today,
                created_at=now,
                scan=self.scan,
            )
            for hazard_id, deadline, stage, sequence, person in sorted(set(wanted))
            if person in active
        ]


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
    return [
        (hazard_id, deadline, stage, sequence, holder if hazard_id in visible.get(holder, set()) else named)
        for hazard_id, deadline, stage, sequence, holder, named in rows
    ]


def insert_due_reminders(*, today: date, scan: uuid.UUID, ladder: Ladder | None = None) -> Iterator[list[int]]:
    """Insert the reminders due on `today` that do not exist yet, in batches; yield each batch's new ids.

    The database computes and inserts them (INSERT … SELECT … ON CONFLICT DO NOTHING), batch by
    batch along the partial index of open work by deadline: nothing of the due hazards is loaded
    into Python but the keys bounding each batch, and a rung once created for a hazard is not
    computed again, so a rerun costs about what counting the due hazards does.
    """
    run = _Scan(today=today, scan=scan, ladder=ladder or Ladder.from_settings())
    for after, until in run.batches():
        with transaction.atomic():
            # Before the insert: its rows would hide the batch's rungs from the second look.
            stood_in = run.successions(after, until)
            inserted = [pk for pk, _stage in run.insert(after, until)]
            Reminder.objects.bulk_create(stood_in, ignore_conflicts=True)
        yield inserted


def scan_deadlines(*, today: date | None = None, relay: bool = True) -> dict[str, int]:
    """Create the reminders due today, exactly once each; return how many this scan created per stage.

    Plans each batch's deliveries from what it inserted, then any nobody has planned yet (the rare
    stand-ins, or rows left by a scan that crashed): in-app at once, e-mail and webhook as outbox
    rows that `relay` hands to the workers after commit. Pass relay=False to leave them for the
    caller (e.g. to send in-process).
    """
    today = today or timezone.localdate()
    scan = uuid.uuid4()
    for inserted in insert_due_reminders(today=today, scan=scan):
        delivery.plan_reminders(inserted)
    # Only rows this scan inserted carry its id: a concurrent scan's rows and old ones do not count.
    created = dict(
        Reminder.objects.filter(scan=scan)
        .order_by()
        .values("stage")
        .annotate(count=Count("pk"))
        .values_list("stage", "count")
    )
    delivery.plan_deliveries()
    if relay:
        delivery.relay_deliveries()
    return {stage: created.get(stage, 0) for stage in Stage.values}


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
    horizon = today + timedelta(days=ladder.due_soon_days)
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


def reminders_sent(hazard: Hazard) -> dict:
    """The hazard's reminders for its page, newest rung first: stage, day, people and each channel's status."""
    reminders = (
        Reminder.objects.filter(hazard=hazard)
        .select_related("recipient")
        .prefetch_related("deliveries")
        .order_by("-due_on", "-deadline", "stage", "sequence", "recipient_id")
    )
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
        deliveries = sorted(reminder.deliveries.all(), key=lambda channel_delivery: channel_delivery.channel)
        rung["people"].append(
            {
                "name": recipient.get_full_name() or recipient.username,
                "channels": [
                    {
                        "channel": channel_delivery.channel,
                        "label": channel_delivery.get_channel_display(),
                        "status": channel_delivery.status,
                        "status_label": channel_delivery.get_status_display(),
                        "sent": channel_delivery.status == Delivery.Status.SENT,
                    }
                    for channel_delivery in deliveries
                ],
            }
        )
    all_rungs = list(rungs.values())
    return {"rungs": all_rungs[:TIMELINE_RUNGS], "older": max(len(all_rungs) - TIMELINE_RUNGS, 0)}
