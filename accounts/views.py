"""The sign-in page's answer to a locked-out attempt (django-axes calls it: AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from accounts.forms import LoginForm


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # The same words whether or not the username exists: unknown names are counted and locked too.
    return ngettext(
        "Too many failed sign-ins. Signing in is paused for %(minutes)d minute; "
        "try again later or ask an administrator to unlock it.",
        "Too many failed sign-ins. Signing in is paused for %(minutes)d minutes; "
        "try again later or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None):
    """The sign-in page again, with the username kept and the lockout said, as 429 Too Many Requests."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username})
    context = {"form": form, "lockout": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
