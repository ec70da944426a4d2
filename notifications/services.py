"""Writing notifications and marking them read. The workflow decides who is told; this module only tells them."""

from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from hazards.models import Hazard
from hunan_safety.compiled import CompiledQuery
from notifications.models import Notification


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
    """Mark every unread notification of `user` read; return how many were unread."""
    return Notification.objects.for_recipient(user).unread().update(read_at=timezone.now())


# The header's bell on every page: compiled once (hunan_safety/compiled.py); no row when none is unread.
_UNREAD = CompiledQuery(
    lambda user_id: (
        Notification.objects.filter(recipient_id=user_id)
        .unread()
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values_list("count", flat=True)
    ),
    "user_id",
)


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread (one COUNT on the (recipient, read_at) index)."""
    counts = _UNREAD.run(user_id=user.pk)
    return counts[0] if counts else 0
