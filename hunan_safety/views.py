from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hunan_safety import health


@login_not_required
@never_cache
def healthz(request):
    """Liveness for load balancers and the container engine: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "error", "database": str(error)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", **health.report()})


def home(request):
    """The signed-in user's start page: who they are and where they answer for safety."""
    user = request.user
    posts = user.posts.filter(is_active=True).select_related("organization", "region").prefetch_related("industries")
    return render(request, "home.html", {"posts": posts})
