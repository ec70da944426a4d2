"""The reminder ladder and the daily digest (DESIGN.md section 6): what is due on a day, and for whom.

`scan_deadlines` is what the beat task and `manage.py remind_overdue` both run. For the hazards
whose unit still has the work (assigned, rectifying) and whose deadline is near or past, it finds
the rung of the ladder each has reached on the day:

- due soon: within N days before the deadline (settings.REMINDERS["due_soon"]["days_before"], 3);

(days are working days on the official calendar unless settings.REMINDER_DAY_COUNT is "calendar")
- due today;
- overdue: from the day after, a new reminder every M days ("every_days", 3);
- escalation: K days overdue ("days_overdue", 7; "days_overdue_major", 1), up the chain (一岗双责);

and inserts one `Reminder` row per rung and person, ignoring rows that already exist: the unique
key (hazard, stage, deadline, sequence, recipient) makes a rerun, a retried task or a second beat
harmless, and an extension (a new deadline) starts a new ladder. A rung is computed from the day
rather than matched to it, so a scan that missed a day (beat or broker down) catches up with the
rung reached meanwhile, once.

The cost follows what is due, not the size of the ledger: one query on the (state, deadline)
index, a fixed number of queries to find the people, bulk inserts. Delivery is delivery.py's: in-app
at once, e-mail and webhook through the outbox.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Post, Region, User
from accounts.roles import Role
from hazards.models import OPEN_WORK_STATES, Hazard
from hazards.responsibility import LAYERS
from hazards.states import overdue_q
from notifications import delivery
from notifications.models import Delivery, Digest, Reminder
from rules.calendar import WorkingCalendar, working_calendar

Stage = Reminder.Stage

# Who a stage can be sent to (settings.REMINDERS[stage]["recipients"]).
RECIPIENT_GROUPS = ("unit", *LAYERS, "department_heads", "listing_body")

# The fields of a hazard the scan reads: no model instances, no related rows.
SCAN_FIELDS = (
    "pk",
    "state",
    "deadline",
    "level",
    "region_id",
    "rectifying_unit_id",
    "listed_by_id",
    "responsibility_chain",
)


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


# Due hazards are read in pages of this many, in the index's order.
SCAN_PAGE = 10_000


def open_work_until(horizon: date) -> QuerySet[Hazard, dict[str, Any]]:
    """The query of the scan: open work with a deadline up to `horizon`, in (state, deadline) index order.

    The order and the LIMIT of each page are what make PostgreSQL walk the index. Without them its
    statistics mislead it: finished hazards have past deadlines too, so "deadline <= horizon" looks
    like half the ledger and it would read the whole table (seen at 1M rows in bench/reminders.py).
    """
    return (
        Hazard.objects.filter(state__in=OPEN_WORK_STATES, deadline__lte=horizon)
        .order_by("state", "deadline", "pk")
        .values(*SCAN_FIELDS)
    )


def due_hazards(*, horizon: date) -> Iterator[dict]:
    """The due hazards as dicts, page by page (keyset): one indexed query per SCAN_PAGE hazards."""
    after = Q()
    while True:
        page = list(open_work_until(horizon).filter(after)[:SCAN_PAGE])
        yield from page
        if len(page) < SCAN_PAGE:
            return
        last = page[-1]
        after = (
            Q(state__gt=last["state"])
            | Q(state=last["state"], deadline__gt=last["deadline"])
            | Q(state=last["state"], deadline=last["deadline"], pk__gt=last["pk"])
        )


class _People:
    """Everyone the due hazards' reminders may go to, found in a fixed number of queries."""

    def __init__(self, hazards: list[dict], groups: set[str]):
        unit_ids = {hazard["rectifying_unit_id"] for hazard in hazards if hazard["rectifying_unit_id"]}
        chain = [entry for hazard in hazards for entry in hazard["responsibility_chain"] or []]
        self.unit_members: dict[int, set[int]] = defaultdict(set)
        if "unit" in groups and unit_ids:
            members = User.objects.filter(
                is_active=True, organization_id__in=unit_ids, groups__name=Role.RECTIFYING_UNIT
            ).values_list("organization_id", "pk")
            for organization_id, user_id in members:
                self.unit_members[organization_id].add(user_id)

        # The snapshot names who held each post at assignment; reminders go to who holds it now.
        post_ids = {entry["post_id"] for entry in chain if entry.get("post_id") and entry.get("layer") in groups}
        self.holders: dict[int, int] = dict(
            Post.objects.filter(pk__in=post_ids, is_active=True, holder__isnull=False).values_list("pk", "holder_id")
        )
        # (hazard, new holder of a post on its chain) → the person the snapshot named.
        self.successions: dict[tuple[int, int], int | None] = {}

        self.department_heads: dict[int, list[tuple[int, str]]] = defaultdict(list)
        departments = {
            entry["organization_id"]
            for entry in chain
            if entry.get("layer") == "department" and entry.get("organization_id")
        }
        if "department_heads" in groups and departments:
            heads = User.objects.filter(
                is_active=True, organization_id__in=departments, groups__name=Role.DEPARTMENT_HEAD
            ).values_list(
                "pk",
                "organization_id",
                "region__code",
                "region__level",
                "organization__region__code",
                "organization__region__level",
            )
            for user_id, organization_id, code, level, organization_code, organization_level in heads:
                region = (
                    Region(code=code, level=level) if code else Region(code=organization_code, level=organization_level)
                )
                self.department_heads[organization_id].append((user_id, region.scope_prefix))

        self.listing_heads: dict[int, set[int]] = defaultdict(set)
        listing_bodies = {hazard["listed_by_id"] for hazard in hazards if hazard["listed_by_id"]}
        if "listing_body" in groups and listing_bodies:
            body_heads = User.objects.filter(
                is_active=True, organization_id__in=listing_bodies, groups__name=Role.DEPARTMENT_HEAD
            ).values_list("organization_id", "pk")
            leaders = Post.objects.filter(
                organization_id__in=listing_bodies,
                is_active=True,
                holder__isnull=False,
                duty__in=[Post.Duty.PRINCIPAL, Post.Duty.SAFETY_LEAD],
            ).values_list("organization_id", "holder_id")
            for organization_id, user_id in [*body_heads, *leaders]:
                self.listing_heads[organization_id].add(user_id)

    def for_hazard(self, hazard: dict, groups: tuple[str, ...]) -> set[int]:
        """The people of these groups for this hazard (active or not: the caller filters)."""
        people: set[int] = set()
        chain = hazard["responsibility_chain"] or []
        for group in groups:
            if group == "unit" and hazard["rectifying_unit_id"]:
                people |= self.unit_members.get(hazard["rectifying_unit_id"], set())
            elif group in LAYERS:
                for entry in chain:
                    if entry.get("layer") == group:
                        named, holder = entry.get("user_id"), self.holders.get(entry.get("post_id"))
                        if holder and holder != named:
                            self.successions[(hazard["pk"], holder)] = named
                        person = holder or named
                        if person:
                            people.add(person)
            elif group == "department_heads":
                for entry in chain:
                    if entry.get("layer") == "department":
                        for user_id, prefix in self.department_heads.get(entry.get("organization_id"), []):
                            if hazard["region_id"].startswith(prefix):
                                people.add(user_id)
            elif group == "listing_body" and hazard["listed_by_id"]:
                people |= self.listing_heads.get(hazard["listed_by_id"], set())
        return people


def _stand_in_for_successors_who_cannot_see(successions: dict, wanted: list) -> None:
    """A post changed hands since assignment: remind its new holder if they can see the hazard, else
    the person the snapshot named (who can: named people see what they are named on).

    One query per new holder, and only when posts changed hands: rare, and not per hazard.
    """
    if not successions:
        return
    hazards_of: dict[int, set[int]] = defaultdict(set)
    for hazard_id, holder in successions:
        hazards_of[holder].add(hazard_id)
    unseen: dict[int, set[int]] = {}
    for holder in User.objects.filter(pk__in=hazards_of).select_related("organization__region", "region"):
        visible = set(
            Hazard.objects.visible_to(holder).filter(pk__in=hazards_of[holder.pk]).values_list("pk", flat=True)
        )
        unseen[holder.pk] = hazards_of[holder.pk] - visible
    for hazard, _stage, _sequence, recipients in wanted:
        for holder in [person for person in recipients if (hazard["pk"], person) in successions]:
            if hazard["pk"] in unseen.get(holder, {hazard["pk"]}):
                recipients.discard(holder)
                named = successions[(hazard["pk"], holder)]
                if named:
                    recipients.add(named)


def reminders_due(*, today: date, scan: uuid.UUID, ladder: Ladder | None = None) -> list[Reminder]:
    """The reminders due on `today` (unsaved), whether or not an earlier scan already created them."""
    ladder = ladder or Ladder.from_settings()
    hazards = list(due_hazards(horizon=ladder.due_soon_horizon(today)))
    if not hazards:
        return []
    groups = {group for stage_groups in ladder.recipients.values() for group in stage_groups}
    people = _People(hazards, groups)
    wanted: list[tuple[dict, str, int, set[int]]] = []
    for hazard in hazards:
        major = hazard["level"] == Hazard.Level.MAJOR
        for stage, sequence in ladder.rungs(deadline=hazard["deadline"], today=today, major=major):
            recipients = people.for_hazard(hazard, ladder.recipients[stage])
            if recipients:
                wanted.append((hazard, stage, sequence, recipients))
    _stand_in_for_successors_who_cannot_see(people.successions, wanted)
    everyone = {user_id for *_, recipients in wanted for user_id in recipients}
    active = set(User.objects.filter(pk__in=everyone, is_active=True).values_list("pk", flat=True))
    now = timezone.now()
    return [
        Reminder(
            hazard_id=hazard["pk"],
            stage=stage,
            deadline=hazard["deadline"],
            sequence=sequence,
            recipient_id=user_id,
            due_on=today,
            created_at=now,
            scan=scan,
        )
        for hazard, stage, sequence, recipients in wanted
        for user_id in sorted(recipients & active)
    ]


def scan_deadlines(*, today: date | None = None, relay: bool = True) -> dict[str, int]:
    """Create the reminders due today, exactly once each; return how many this scan created per stage.

    Then plans the deliveries nobody has planned yet (this scan's and any left by a scan that
    crashed): in-app at once, e-mail and webhook as outbox rows that `relay` hands to the workers
    after commit. Pass relay=False to leave them for the caller (e.g. to send in-process).
    """
    today = today or timezone.localdate()
    scan = uuid.uuid4()
    Reminder.objects.bulk_create(reminders_due(today=today, scan=scan), ignore_conflicts=True, batch_size=2000)
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
