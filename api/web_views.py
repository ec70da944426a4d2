"""The profile page's token buttons: create (the token is shown once) and revoke."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import tokens
from api.forms import TokenForm


@require_POST
def token_create(request):
    form = TokenForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            row, token = tokens.create_token(
                user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except tokens.TokenError as error:
            form.add_error("name", str(error))
        else:
            # Shown on this response only: the token is not stored, and the page is never cached.
            response = render(request, "api/token_created.html", {"row": row, "token": token})
            response["Cache-Control"] = "no-store"
            return response
    messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("profile")


@require_POST
def token_revoke(request, pk: int):
    try:
        row = tokens.revoke_token(user=request.user, token_id=pk)
    except tokens.TokenError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": row.name})
    return redirect("profile")
