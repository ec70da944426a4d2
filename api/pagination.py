"""Keyset ("seek") pages in the ledger's order (newest finding first, then id): page 1,000 costs what page 1 does.

The cursor is the last row's (found_on, id), opaque to the client; `next` is the full link. An
OFFSET would read and skip every earlier row through the visibility rule; the seek reads the
(found_on, id) index from where the previous page ended.
"""

import base64
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def encode(found_on: date, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{found_on.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[date, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, pk = text.split("|")
        return date.fromisoformat(day), int(pk)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": [_("Not a cursor of this list: follow the “next” link as given.")]}) from error


class LedgerCursorPagination(BasePagination):
    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        try:
            size = int(request.query_params.get("page_size", DEFAULT_PAGE_SIZE))
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        self.page_size = max(1, min(size, MAX_PAGE_SIZE))
        rows = queryset.order_by("-found_on", "-id")
        cursor = request.query_params.get("cursor")
        if cursor:
            found_on, pk = decode(cursor)
            rows = rows.filter(Q(found_on__lt=found_on) | Q(found_on=found_on, id__lt=pk))
        page = list(rows[: self.page_size + 1])
        self.next_cursor = (
            encode(page[self.page_size - 1].found_on, page[self.page_size - 1].pk)
            if len(page) > self.page_size
            else None
        )
        return page[: self.page_size]

    def get_paginated_response(self, data) -> Response:
        link = None
        if self.next_cursor is not None:
            link = replace_query_param(self.request.build_absolute_uri(), "cursor", self.next_cursor)
        return Response({"next": link, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {"next": {"type": "string", "format": "uri", "nullable": True}, "results": schema},
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "from the previous page's “next”",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"rows per page (at most {MAX_PAGE_SIZE})",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
