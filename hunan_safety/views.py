import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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
    return JsonResponse({"status": "ok", "database": "ok"})


def home(request):
    """The signed-in user's start page: who they are and where they answer for safety."""
    user = request.user
    posts = user.posts.filter(is_active=True).select_related("organization", "region").prefetch_related("industries")
    return render(request, "home.html", {"posts": posts})
