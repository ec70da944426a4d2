"""Saved ledger views: a user's named links to the list as they filtered, sorted and arranged it.

A view is its query string and nothing more — opened by anyone, it shows what that person's scope
allows — so it can be shared as a link. The list shows its owner's views from the cache (no query
per page); saving or forgetting one forgets that cache.
"""

from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from hazards.listing import PAGE_PARAMETERS
from hazards.models import SavedView
from hazards.transitions import HazardError, HazardNotFound

SAVED_VIEWS_SECONDS = 3600
NAME_MAX = SavedView._meta.get_field("name").max_length or 60


def _key(owner: User) -> str:
    return f"hazards:saved-views:{owner.pk}"


def view_query(params: QueryDict) -> str:
    """The query string a view keeps: what the list shows, not which page of it."""
    kept = params.copy()
    for name in PAGE_PARAMETERS:
        kept.pop(name, None)
    return kept.urlencode()


def saved_views(owner: User) -> list[dict]:
    """The owner's views, by name: [{"id", "name", "query"}], from the cache when it has them."""

    def read() -> list[dict]:
        views = SavedView.objects.filter(owner=owner, forgotten_at__isnull=True)
        return [{"id": view.pk, "name": view.name, "query": view.query} for view in views]

    return cache.get_or_set(_key(owner), read, SAVED_VIEWS_SECONDS) or []


@transaction.atomic
def save_view(*, owner: User, name: str, params: QueryDict) -> SavedView:
    """Keep the list as it is shown under `name`; a view of the same name takes the new filters."""
    name = name.strip()
    if not name:
        raise HazardError(_("Give the view a name, so that you can find it again."))
    if len(name) > NAME_MAX:
        raise HazardError(_("A view's name has at most %(max)d characters.") % {"max": NAME_MAX})
    view, _created = SavedView.objects.select_for_update().update_or_create(
        owner=owner, name=name, forgotten_at__isnull=True, defaults={"query": view_query(params)}
    )
    transaction.on_commit(lambda: cache.delete(_key(owner)))
    return view


@transaction.atomic
def forget_view(*, owner: User, view_id: int) -> SavedView:
    """Take a view off the owner's list (kept, marked forgotten); someone else's view is a 404."""
    view = SavedView.objects.select_for_update().filter(owner=owner, pk=view_id, forgotten_at__isnull=True).first()
    if view is None:
        raise HazardNotFound
    view.forgotten_at = timezone.now()
    view.save(update_fields=["forgotten_at"])
    transaction.on_commit(lambda: cache.delete(_key(owner)))
    return view
