"""Creating, finding and revoking API tokens; the token itself is never stored."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import AccountEvent, User
from api.models import ApiToken

# A token's last use is written at most this often: not one UPDATE per API call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(Exception):
    """A refused token operation; the message says why."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the token, which is shown once and never again."""
    name = name.strip()
    if not name:
        raise TokenError(_("Name the token after the system that will use it."))
    if expires_at is not None and expires_at <= timezone.now():
        raise TokenError(_("The expiry must be in the future."))
    prefix = secrets.token_hex(4)
    token = f"hs_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, digest=_digest(token), expires_at=expires_at
    )
    audit.record(AccountEvent.Kind.API_TOKEN_CREATED, user=user, detail={"name": row.name, "prefix": prefix})
    return row, token


def authenticate(token: str) -> ApiToken | None:
    """The usable token row for a presented token, or None (unknown, revoked, expired, user inactive)."""
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "hs":
        return None
    row = ApiToken.objects.usable().select_related("user").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.digest, _digest(token)):
        return None
    now = timezone.now()
    if row.last_used_at is None or row.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def revoke_token(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; it stops working at once."""
    row = ApiToken.objects.filter(user=user, pk=token_id).first()
    if row is None:
        raise TokenError(_("No such token of yours."))
    if ApiToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit.record(AccountEvent.Kind.API_TOKEN_REVOKED, user=user, detail={"name": row.name, "prefix": row.prefix})
    row.refresh_from_db()
    return row
