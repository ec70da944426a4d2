"""The ledger's pages by key ("seek"), not by OFFSET: a deep page costs what the first does.

A page is the rows after (or before) the keys of a row the user has seen: for the ledger's order
`found_on DESC, id DESC`, page 200 reads `WHERE (found_on, id) < (<last row's>)` and its 25 rows
from the index, where OFFSET walked 5,000 rows first. The first few pages are also offered by
number (a short OFFSET costs nothing there); beyond them the list goes on by "next" and "previous".

For a user whose scope is several arms (hazards/visibility.py `visibility_arms`: a jurisdiction,
what they found, their inspections, their chains), each arm is read in the page's order with its
own LIMIT — each from its own index — and the page is the first rows of their union. An arm never
has to supply more rows than the page shows, so no page tests a region's rows against every arm.
Same rule as `visible_to`: the union of the arms is exactly what it ORs together.

Rows are counted apart (`count_rows`): the page never waits for a count.
"""

import base64
import binascii
import functools
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, F, Field, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import OrderBy
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hazards.models import Attachment, Hazard, HazardState
from hazards.states import STATE_CLASSES, days_overdue
from hazards.visibility import visibility_arms

# Pages offered by number (OFFSET), the first page included; beyond them, by key only.
NUMBERED_PAGES = 5


@dataclass(frozen=True)
class SortKey:
    """One column of the page's order: its field, direction, and whether it can be empty."""

    name: str
    descending: bool
    nullable: bool

    def order(self, *, reverse: bool = False) -> OrderBy:
        descending = self.descending != reverse
        expression = F(self.name)
        if not self.nullable:
            return expression.desc() if descending else expression.asc()
        # Empty values (a finding without a deadline yet) last in the page's order, whatever the direction.
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        return expression.desc(**nulls) if descending else expression.asc(**nulls)


def _column(name: str) -> Field:
    field = Hazard._meta.get_field(name)
    assert isinstance(field, Field)  # the sorts are the hazard's own columns
    return field


def sort_keys(ordering: list[str] | tuple[str, ...]) -> list[SortKey]:
    """The ordering (`-found_on`, `deadline`…) as keys, ended by the id so that no two rows tie."""
    keys = []
    for name in ordering:
        descending = name.startswith("-")
        field_name = name.lstrip("-")
        field_name = "id" if field_name == "pk" else field_name
        keys.append(SortKey(field_name, descending, _column(field_name).null))
        if field_name == "id":
            return keys
    return [*keys, SortKey("id", True, False)]


def encode_cursor(row: Any, keys: list[SortKey]) -> str:
    """A row's keys (a hazard, or its named values) as a URL-safe token (JSON; dates as ISO text)."""
    values = [getattr(row, key.name) for key in keys]
    text = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value for value in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str, keys: list[SortKey]) -> list[Any] | None:
    """The keys a token holds, each as its field's Python value; None for anything malformed."""
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        return [
            None if value is None else _column(key.name).to_python(value)
            for key, value in zip(keys, values, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, ValidationError):  # a forged or stale link: start over
        return None


class RowComparison(Func):
    """`(a, b) < (x, y)`: a row comparison, which PostgreSQL answers from an index on (a, b) directly."""

    output_field = BooleanField()

    def __init__(self, names: list[str], values: list[Any], comparison: str):
        super().__init__(*(F(name) for name in names), *(Value(value) for value in values))
        self.comparison = comparison

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        compiled = [compiler.compile(expression) for expression in self.get_source_expressions()]
        half = len(compiled) // 2
        left, right = compiled[:half], compiled[half:]
        sql = f"({', '.join(part for part, _p in left)}) {self.comparison} ({', '.join(part for part, _p in right)})"
        return sql, [param for _part, params in compiled for param in params]


def after(keys: list[SortKey], values: list[Any], *, reverse: bool = False) -> Q:
    """Rows past `values` in the order of `keys` (before them when `reverse`).

    When every key runs the same way and none can be empty (the ledger's own order, found_on and
    id), a row comparison, which the (found_on, id) index answers at its first row. Otherwise the
    comparison spelled out, because directions may differ and empty values sort last: k1 past v1,
    or k1 = v1 and k2 past v2, … with the first key's bound also given alone, so that an index on it
    can start the scan there.
    """
    directions = {key.descending != reverse for key in keys}
    if len(directions) == 1 and not any(key.nullable for key in keys):
        comparison = "<" if directions.pop() else ">"
        return Q(RowComparison([key.name for key in keys], values, comparison))
    arms = []
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        descending = key.descending != reverse
        if value is None:
            # Empty sorts last: past an empty value are only later rows with an empty value.
            beyond = Q(**{f"{key.name}__isnull": False}) if reverse else None
            same = Q(**{f"{key.name}__isnull": True})
        else:
            beyond = Q(**{f"{key.name}__{'lt' if descending else 'gt'}": value})
            if key.nullable and not reverse:
                beyond |= Q(**{f"{key.name}__isnull": True})
            same = Q(**{key.name: value})
        if beyond is not None:
            arms.append(equal & beyond)
        equal &= same
    condition = functools.reduce(operator.or_, arms) if arms else Q(pk__in=[])
    first, start = keys[0], values[0]
    if start is not None and not first.nullable:
        descending = first.descending != reverse
        condition &= Q(**{f"{first.name}__{'lte' if descending else 'gte'}": start})
    return condition


@dataclass
class LedgerPage:
    """One page of the ledger and the ways on from it."""

    rows: list[Any]  # hazards, or the named values `columns` reads (row_columns)
    number: int
    has_previous: bool
    has_next: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    # Pages offered by number: the first ones, up to the furthest known to exist.
    numbered: list[int] = field(default_factory=list)


def in_scope(filtered: QuerySet, user: User, order: list[OrderBy], depth: int) -> QuerySet:
    """The keys of the first `depth` rows of `filtered` in `order` that `user` may see.

    One arm per part of the visibility rule, each with its own ORDER BY and LIMIT, merged; SQLite
    refuses an ORDER BY inside a compound statement, so there the rule is applied whole.
    """
    arms = visibility_arms(user)
    if arms is None:
        return filtered
    if not connections[filtered.db].features.supports_slicing_ordering_in_compound:
        return filtered.filter(pk__in=Hazard.objects.visible_to(user).values("pk"))
    keys = [filtered.filter(arm).order_by(*order).values("pk")[:depth] for arm in arms.read_out()]
    return Hazard.objects.filter(pk__in=keys[0].union(*keys[1:], all=True))


def ledger_page(
    filtered: QuerySet,
    *,
    user: User,
    ordering: list[str] | tuple[str, ...],
    per_page: int,
    number: int = 1,
    cursor: str = "",
    backwards: bool = False,
    columns=lambda rows: rows,
) -> LedgerPage:
    """A page of `filtered` (the filters applied, not yet the scope) as `user` may see it.

    By key when a `cursor` is given (the rows after it, or before it when `backwards`), else page
    `number` of the numbered ones. `columns` adds what a row shows (joins, annotations) to the
    page's own query only.
    """
    keys = sort_keys(ordering)
    values = decode_cursor(cursor, keys) if cursor else None
    reverse = backwards and values is not None
    order = [key.order(reverse=reverse) for key in keys]
    bounded = filtered
    if values is not None:
        bounded = filtered.filter(after(keys, values, reverse=reverse))
        offset = 0
    else:
        number = min(max(number, 1), NUMBERED_PAGES)
        offset = (number - 1) * per_page
    depth = offset + per_page + 1  # one more row says whether there is a next page
    scoped = in_scope(bounded, user, order, depth)
    rows = list(columns(scoped).order_by(*order)[offset:depth])
    more = len(rows) > per_page
    rows = rows[:per_page]
    again = functools.partial(ledger_page, user=user, ordering=ordering, per_page=per_page, columns=columns)
    if reverse:
        if not more:  # back at the top (rows may have come in since): the first page, whole
            return again(filtered)
        rows.reverse()
        has_previous, has_next = True, True
    else:
        has_previous, has_next = (values is not None or number > 1), more
    if values is None and number > 1 and not rows:
        # A numbered page past the end (rows went away, or a typed link): the last page there is.
        rows_there = count_rows(filtered, user=user, cap=offset)
        return again(filtered, number=max(1, -(-rows_there // per_page)))
    page = LedgerPage(rows=rows, number=max(number, 1), has_previous=has_previous, has_next=has_next)
    if rows:
        page.next_cursor = encode_cursor(rows[-1], keys) if page.has_next else ""
        page.previous_cursor = encode_cursor(rows[0], keys) if page.has_previous else ""
    last_known = page.number + (1 if page.has_next else 0)
    page.numbered = list(range(1, min(last_known, NUMBERED_PAGES) + 1)) if page.number <= NUMBERED_PAGES else []
    return page


def count_rows(filtered: QuerySet, *, user: User, cap: int) -> int:
    """How many rows of `filtered` `user` may see, counted up to `cap` + 1 (more only says "more")."""
    order = [SortKey("id", False, False).order()]
    return in_scope(filtered, user, order, cap + 1).order_by().values("pk")[: cap + 1].count()


# What a ledger row shows, read as plain values (no model instances, no related objects): the
# sort keys (`id` and the sortable columns, for the page's cursors) among them.
ROW_VALUES = (
    "id",
    "number",
    "title",
    "listed_level",
    "level",
    "industry__name_zh",
    "industry__name_en",
    "region__name",
    "unit__name",
    "site_name",
    "found_on",
    "deadline",
    "state",
    "photo_id",
)


def row_columns(hazards: QuerySet) -> QuerySet:
    """The page's query with what a row shows: the first photo and the related names, as named values.

    Reading values, not model instances, spares each row a Hazard and four related objects built
    from some eighty columns the row never shows (the description, the chain, the rectification).
    """
    first_photo = Attachment.objects.filter(hazard=OuterRef("pk"), stage=Attachment.Stage.BEFORE).exclude(thumbnail="")
    return hazards.annotate(photo_id=Subquery(first_photo.order_by("id").values("id")[:1])).values_list(
        *ROW_VALUES, named=True
    )


@dataclass
class LedgerRow:
    """A hazard as the ledger shows it: its key and number, and its row's markup made once."""

    pk: int
    number: str
    markup: str  # the row's <tr>, escaped (SafeString)


def _link(name: str) -> Callable[[int], str]:
    """A function making the URL `name` for a key: reversed once per page, not once per row."""
    marker = 918273645  # a key no URL pattern shows otherwise: replaced by each row's own
    pattern = reverse(name, args=[marker])
    head, tail = pattern.split(str(marker))
    return lambda key: f"{head}{key}{tail}"


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def display_rows(rows: list[Any], *, columns: set[str], can_bulk: bool) -> list[LedgerRow]:
    """The page's rows (named values of ROW_VALUES) as markup: each row once, with no template work.

    One markup per row, a table row on a desktop and a card on a phone (CSS). Everything a row
    needs — labels from dicts, links reversed once, days overdue, the words of the active language
    looked up once per page — is worked out here, and every value is escaped. Through the template
    engine the 25 rows cost a page some 10 ms of Python, more than its SQL; here well under one.
    """
    states = {value: escape(label) for value, label in HazardState.choices}
    levels = {value: escape(label) for value, label in Hazard.Level.choices}
    english = (get_language() or "").startswith("en")
    today = timezone.localdate()
    detail, thumbnail = _link("hazards:detail"), _link("hazards:attachment_thumbnail")
    choose, listed, deadline_caption = (
        gettext("Choose %(number)s"),
        escape(gettext("Listed")),
        escape(gettext("Deadline")),
    )
    shown = {name: name in columns for name in OPTIONAL_COLUMNS}
    result = []
    for row in rows:
        late = days_overdue(row.state, row.deadline, today)
        url, number = detail(row.id), escape(row.number)
        cells = []
        if can_bulk:
            label = escape(choose % {"number": row.number})
            cells.append(
                f'<td class="cell-pick"><input class="form-check-input" type="checkbox" name="hazard" '
                f'value="{row.id}" form="bulk-form" aria-label="{label}"></td>'
            )
        if shown["photo"]:
            image = f'<img src="{thumbnail(row.photo_id)}" alt="" class="thumb" loading="lazy">' if row.photo_id else ""
            cells.append(f'<td class="cell-photo">{image}</td>')
        cells.append(f'<td class="cell-number text-nowrap"><a href="{url}">{number}</a></td>')
        badge = (
            f' <span class="badge text-bg-danger-subtle border border-danger-subtle text-danger-emphasis">{listed}</span>'
            if row.listed_level
            else ""
        )
        cells.append(f'<td class="cell-title"><a href="{url}" class="text-body">{escape(row.title)}</a>{badge}</td>')
        if shown["industry"]:
            cells.append(
                f'<td class="cell-industry">{escape((row.industry__name_en if english else row.industry__name_zh) or "")}</td>'
            )
        if shown["level"]:
            style = "text-bg-danger" if row.level == Hazard.Level.MAJOR else "text-bg-light border"
            cells.append(
                f'<td class="cell-level"><span class="badge {style}">{levels.get(row.level, escape(row.level))}</span></td>'
            )
        if shown["county"]:
            cells.append(f'<td class="cell-county text-nowrap">{escape(row.region__name or "")}</td>')
        if shown["place"]:
            place = row.unit__name if row.unit__name is not None else row.site_name
            cells.append(f'<td class="cell-place">{escape(place)}</td>')
        if shown["found_on"]:
            cells.append(f'<td class="cell-found text-nowrap">{_day(row.found_on)}</td>')
        if shown["deadline"]:
            due = (
                f'<span class="cell-caption">{deadline_caption} </span>{_day(row.deadline)}'
                if row.deadline
                else '<span class="cell-empty">—</span>'
            )
            if late:
                words = escape(ngettext("%(days)s day overdue", "%(days)s days overdue", late) % {"days": late})
                due += f' <span class="badge text-bg-danger">{words}</span>'
            cells.append(f'<td class="cell-deadline text-nowrap">{due}</td>')
        if shown["state"]:
            style = STATE_CLASSES.get(row.state, "text-bg-secondary")
            cells.append(
                f'<td class="cell-state"><span class="badge {style}" data-state="{escape(row.state)}">'
                f"{states.get(row.state, escape(row.state))}</span></td>"
            )
        marked = ' class="table-danger overdue"' if late else ' class=""'
        markup = f'<tr{marked} data-hazard="{number}">{"".join(cells)}</tr>'
        result.append(LedgerRow(pk=row.id, number=row.number, markup=mark_safe(markup)))  # noqa: S308 (escaped above)
    return result


# The columns a user may hide or show (the number and title are always shown), with their headers.
OPTIONAL_COLUMNS = {
    "photo": _("Photo"),
    "industry": _("Industry"),
    "level": _("Level"),
    "county": _("County"),
    "place": _("Unit or site"),
    "found_on": _("Found on"),
    "deadline": _("Deadline"),
    "state": _("State"),
}


def shown_columns(params: QueryDict) -> set[str]:
    """The optional columns chosen (`columns=industry&columns=state`…); all of them when none is."""
    chosen = {name for name in params.getlist("columns") if name in OPTIONAL_COLUMNS}
    return chosen or set(OPTIONAL_COLUMNS)


# The columns a desktop user can sort by clicking their header, by the `sort` parameter's names.
SORTABLE_COLUMNS = ("number", "level", "found_on", "deadline", "state")
PAGE_PARAMETERS = ("page", "after", "before", "count")


@dataclass(frozen=True)
class SortHeader:
    query: str  # the list's query string sorted by this column (the other way round when it already is)
    order: str  # "ascending", "descending" or "none", for the header's aria-sort


def sort_headers(params: QueryDict) -> dict[str, SortHeader]:
    """Each sortable column's header link, keeping the filters and starting again at the first page."""
    current = params.get("sort") or "-found_on"  # the ledger's own order: newest first
    headers = {}
    for column in SORTABLE_COLUMNS:
        order = {column: "ascending", f"-{column}": "descending"}.get(current, "none")
        query = params.copy()
        for name in PAGE_PARAMETERS:
            query.pop(name, None)
        query["sort"] = f"-{column}" if order == "ascending" else column
        headers[column] = SortHeader(query=query.urlencode(), order=order)
    return headers
