"""Writing notifications and marking them read. The workflow decides who is told; this module only tells them.

A planned reminder is in its recipient's bell from the moment it is planned, but its notification
row is written when they open their notifications (`notice_reminders`): the deadline scan plans
hundreds of thousands a day, and most are read later, by e-mail or by nobody (issue 19.3). The bell
counts both: the unread notifications and the planned reminders whose notification is not written yet.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Func, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from hazards.models import Hazard
from hunan_safety.compiled import CompiledQuery
from notifications import sql
from notifications.models import IN_BELL, Notification, Reminder


def notify(
    *,
    recipients: Iterable[User | int | None],
    actor: User | None,
    hazard: Hazard | None,
    action: str,
    note: str = "",
) -> int:
    """Tell each distinct, active recipient what `actor` did to `hazard`; return how many were told.

    Recipients may be users or user ids; None is skipped (an unfilled post), and so are the actor
    (nobody is told about their own action) and deactivated users. The workflow calls this after
    its transaction commits, so a rolled-back transition tells nobody.
    """
    if action not in Notification.Action.values:
        raise ValueError(f"unknown notification action {action!r}")
    wanted = {
        recipient.pk if isinstance(recipient, User) else int(recipient)
        for recipient in recipients
        if recipient is not None
    }
    if actor is not None:
        wanted.discard(actor.pk)
    if not wanted:
        return 0
    active = User.objects.filter(pk__in=wanted, is_active=True).order_by("pk").values_list("pk", flat=True)
    now = timezone.now()
    created = Notification.objects.bulk_create(
        Notification(recipient_id=pk, actor=actor, hazard=hazard, action=action, note=note, created_at=now)
        for pk in active
    )
    return len(created)


def mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of `user`'s own notifications read (keeping the first reading time).

    Raises Notification.DoesNotExist for anyone else's, as for one that does not exist: the view
    answers 404 to both, so that nobody learns which ids belong to others.
    """
    notification = Notification.objects.for_recipient(user).get(pk=notification_id)
    if notification.read_at is None:
        now = timezone.now()
        # Conditional, so that two tabs marking it at once keep the first time.
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read, the reminders in their bell included; return how many."""
    now = timezone.now()
    noticed = 0
    while (batch := notice_reminders(user, read_at=now)) == NOTICE_BATCH:
        noticed += batch
    return noticed + batch + Notification.objects.for_recipient(user).unread().update(read_at=now)


# Reminders written into someone's notifications per call: the newest first. Someone back after months
# away may have tens of thousands; the list shows the newest, and each opening writes the next batch.
NOTICE_BATCH = 2000


def notice_reminders(user: User, *, read_at: datetime | None = None) -> int:
    """Write the notification of each of `user`'s planned reminders that has none yet, the newest
    NOTICE_BATCH of them; return how many reminders this noticed. `read_at`: written already read.

    Called before a person's notifications are listed or marked read. Each reminder is noticed once,
    whoever else opens the list at the same moment: the conditional UPDATE marks it (a second one
    waits, then finds it marked), and only what it marked gets a notification, dated when the
    reminder was made, so that the list, by date, keeps the order in which things happened.
    """
    table, notifications = Reminder._meta.db_table, Notification._meta.db_table
    # IN_BELL, as SQL: the planner reads reminder_in_bell_idx.
    in_bell = f"SELECT id FROM {table} WHERE recipient_id = %s AND claimed_at IS NOT NULL AND noticed_at IS NULL"
    newest = [user.pk, NOTICE_BATCH]
    noticed_at = sql.value(Reminder._meta.get_field("noticed_at"), timezone.now())
    columns = "(recipient_id, actor_id, hazard_id, kind, action, reminder_id, digest_id, note, created_at, read_at)"
    values = "SELECT recipient_id, NULL, NULL, %s, '', id, NULL, '', created_at, %s"
    written = [Notification.Kind.REMINDER, sql.value(Notification._meta.get_field("read_at"), read_at)]
    with connection.cursor() as cursor:
        if sql.postgresql():
            # One statement: nothing to wrap in a transaction, and one round trip when nothing is new.
            cursor.execute(
                f"""WITH noticed AS (
                        UPDATE {table} SET noticed_at = %s
                        WHERE id IN ({in_bell} ORDER BY id DESC LIMIT %s) AND noticed_at IS NULL
                        RETURNING id, recipient_id, created_at
                    ), written AS (
                        INSERT INTO {notifications} {columns} {values} FROM noticed
                        ORDER BY created_at, id ON CONFLICT DO NOTHING
                    )
                    SELECT COUNT(*) FROM noticed""",
                [noticed_at, *newest, *written],
            )
            return cursor.fetchone()[0]
        # SQLite: a read first, so that an opening with nothing new takes no write lock; then the
        # UPDATE and the INSERT (SQLite cannot feed an UPDATE's rows to one) in one transaction.
        cursor.execute(f"{in_bell} ORDER BY id DESC LIMIT %s", newest)
        pending = [pk for (pk,) in cursor.fetchall()]
        if not pending:
            return 0
        with transaction.atomic():
            chosen, param = sql.id_in("id", pending)
            cursor.execute(
                f"UPDATE {table} SET noticed_at = %s WHERE {chosen} AND noticed_at IS NULL RETURNING id",
                [noticed_at, param],
            )
            marked = [pk for (pk,) in cursor.fetchall()]
            chosen, param = sql.id_in("id", marked)
            cursor.execute(
                f"INSERT INTO {notifications} {columns} {values} FROM {table} WHERE {chosen}"
                " ORDER BY created_at, id ON CONFLICT DO NOTHING",
                [*written, param],
            )
            return len(marked)


def _count(queryset: QuerySet) -> Subquery:
    """COUNT(*) of `queryset` as a subquery (no GROUP BY: one row, 0 when none)."""
    return Subquery(queryset.order_by().annotate(count=Func(F("pk"), function="COUNT")).values("count"))


# The header's bell on every page: compiled once (hunan_safety/compiled.py). Two counts on two small
# indexes: the unread notifications (notification_unread_idx) and the reminders in the bell whose
# notification is not written yet (reminder_in_bell_idx).
_UNREAD = CompiledQuery(
    lambda user_id: (
        User.objects.filter(pk=user_id)
        .annotate(
            unread=_count(Notification.objects.filter(recipient_id=OuterRef("pk")).unread()),
            in_bell=_count(Reminder.objects.filter(IN_BELL, recipient_id=OuterRef("pk"))),
        )
        .values_list("unread", "in_bell")
    ),
    "user_id",
)


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread, the reminders in their bell not written yet included."""
    return sum(next(iter(_UNREAD.run(user_id=user.pk)), (0, 0)))
