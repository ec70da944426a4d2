"""A 404 that may say why: for a page the user's role does not use, never for a record out of scope."""

from django.http import Http404


class NotForYourRole(Http404):
    """The page exists but the user's role has no use for it; the 404 page shows this message.

    Only for pages (recording, importing), never for a record: a hazard out of scope stays a plain
    404, which confirms nothing about it.
    """
