"""The audit of people (等保 security audit, ASVS 7): who signed in or failed to, from where; who was
locked out; who changed whose roles, activation, password or post.

Rows are written from signals, so every path records the same way (the sign-in page, the admin, a
command). The request being served — hence the actor and their address — comes from the middleware
below; a command has neither.
"""

from contextvars import ContextVar
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AccountEvent, Post, PostHolding, User

Kind = AccountEvent.Kind
_request: ContextVar[HttpRequest | None] = ContextVar("audited_request", default=None)


class AuditContextMiddleware:
    """Remember the request being served, so that a change made in it names its actor and address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def record(
    kind: str,
    *,
    user: User | None = None,
    username: str = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AccountEvent:
    request = request or _request.get()
    actor = getattr(request, "user", None) if request is not None else None
    return AccountEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.username if user is not None else ""))[:150],
        actor=actor if actor is not None and actor.is_authenticated else None,
        ip_address=(request.META.get("REMOTE_ADDR") or None) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
        detail=detail or {},
    )


# --- Signing in and out ---------------------------------------------------------------------------


def signed_in(sender, request, user, **kwargs) -> None:
    record(Kind.SIGNED_IN, user=user, request=request)


def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(Kind.SIGNED_OUT, user=user, request=request)


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")
    record(Kind.SIGN_IN_FAILED, user=User.objects.filter(username=username).first(), username=username, request=request)


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record(
        Kind.LOCKED_OUT, user=User.objects.filter(username=username).first(), username=username or "", request=request
    )


# --- Changes to accounts --------------------------------------------------------------------------


def account_changing(sender, instance: User, update_fields=None, **kwargs) -> None:
    """Note activation and password changes (compared with the row as stored) as the user is saved."""
    watched = {"is_active", "password"}
    if instance.pk is None or (update_fields is not None and not watched & set(update_fields)):
        return
    stored = User.objects.filter(pk=instance.pk).values("is_active", "password").first()
    if stored is None:
        return
    if stored["is_active"] != instance.is_active:
        record(Kind.ACTIVATED if instance.is_active else Kind.DEACTIVATED, user=instance)
    if stored["password"] != instance.password:
        record(Kind.PASSWORD_CHANGED, user=instance)


def roles_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """A user's groups (roles) gained or lost members, from either side of the relation."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    change = "removed" if action != "post_add" else "added"
    if reverse:  # group.user_set.add(...): one group, several users
        for user in User.objects.filter(pk__in=pk_set or []):
            record(Kind.ROLES_CHANGED, user=user, detail={change: [instance.name]})
        return
    groups = instance.groups.all() if action == "pre_clear" else instance.groups.model.objects.filter(pk__in=pk_set)
    names = sorted(groups.values_list("name", flat=True))
    if names:
        record(Kind.ROLES_CHANGED, user=instance, detail={change: names})


# --- Post holders ---------------------------------------------------------------------------------


def post_changing(sender, instance: Post, **kwargs) -> None:
    stored = Post.objects.filter(pk=instance.pk).values_list("holder_id", flat=True).first() if instance.pk else None
    instance._stored_holder_id = stored  # type: ignore[attr-defined]


def post_changed(sender, instance: Post, created: bool, **kwargs) -> None:
    """Close the holding of the previous holder and open the new one's; say so in the audit."""
    before = getattr(instance, "_stored_holder_id", None)
    if before == instance.holder_id:
        return
    now = timezone.now()
    PostHolding.objects.filter(post=instance, ended_at__isnull=True).update(ended_at=now)
    if instance.holder_id is not None:
        PostHolding.objects.create(post=instance, holder_id=instance.holder_id, started_at=now)
    for user_id, change in ((before, "left"), (instance.holder_id, "took")):
        if user_id is not None:
            record(
                Kind.POST_HOLDER_CHANGED,
                user=User.objects.get(pk=user_id),
                detail={"post_id": instance.pk, "post": str(instance.title), "change": change},
            )


def connect() -> None:
    """Called once from AccountsConfig.ready()."""
    user_logged_in.connect(signed_in, dispatch_uid="accounts.audit.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="accounts.audit.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="accounts.audit.sign_in_failed")
    user_locked_out.connect(locked_out, dispatch_uid="accounts.audit.locked_out")
    pre_save.connect(account_changing, sender=User, dispatch_uid="accounts.audit.account_changing")
    m2m_changed.connect(roles_changed, sender=User.groups.through, dispatch_uid="accounts.audit.roles_changed")
    pre_save.connect(post_changing, sender=Post, dispatch_uid="accounts.audit.post_changing")
    post_save.connect(post_changed, sender=Post, dispatch_uid="accounts.audit.post_changed")
