import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from hunan_safety import health
from hunan_safety.http import NotForYourRole

logger = logging.getLogger(__name__)


def database_answers() -> bool:
    """Whether the database answers now, asked on a connection of its own.

    A fresh connection, not the worker's kept one: it obeys DB_CONNECT_TIMEOUT and the statement
    timeout, so a database that accepts connections but never replies is a 503 within seconds.
    """
    probe = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: the database does not answer")
        return False
    finally:
        probe.close()
    return True


@login_not_required
@never_cache
def healthz(request):
    """Liveness for load balancers and the container engine: 200 when the database answers.

    The error itself (with the database's host and port) goes to the log, never to the caller.
    """
    if not database_answers():
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", **health.report()})


@login_not_required
def favicon(request):
    """Browsers ask /favicon.ico on every page: the icon among the static files."""
    return redirect(static("favicon.ico"), permanent=True)


def page_not_found(request, exception=None):
    """The 404 page in the product's look; it says why when the user's role has no use for the page."""
    reason = str(exception) if isinstance(exception, NotForYourRole) else ""
    return render(request, "404.html", {"reason": reason}, status=404)


def posts_of(user):
    """The user's active posts with what the page shows of them (organisation, region, portfolio)."""
    return user.posts.filter(is_active=True).select_related("organization", "region").prefetch_related("industries")


def home(request):
    """The signed-in user's start page: who they are and where they answer for safety."""
    return render(request, "home.html", {"posts": posts_of(request.user)})
