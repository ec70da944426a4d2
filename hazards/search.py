"""The ledger's text search: a substring of the number, title, description, site, location or unit name.

Chinese words are mostly two characters (煤矿, 通道), too short for pg_trgm's index, and Chinese has
no spaces for a word parser. So on PostgreSQL each hazard's text is indexed as its set of character
bigrams (migration 0008: the column `search_document`, generated from the row's own columns by the
immutable function `hazard_search_document`, in a GIN index). A query of two or more characters becomes the AND of its bigrams, which the index
answers; a two-character word is its own bigram, so 煤矿 is one index lookup. Longer queries match a
superset (the bigrams may sit apart), so the exact `icontains` test is kept beside it as a recheck on
the few rows the index returns. Unit names live on another table: the matching organisations are
found first (a small table) and their ids looked up on the hazard's indexed foreign keys.

A query without two adjacent word characters (a single character) cannot use the bigrams and falls
back to the plain `icontains` scan, as does every other database (SQLite in development).
"""

import itertools
import unicodedata
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.sql.compiler import SQLCompiler

from accounts.models import Organization


def _is_word_character(character: str) -> bool:
    # Letters and decimal digits only. The SQL function splits on ASCII space and punctuation, on
    # what the C library calls punctuation (which includes ①, ², ㈠ and other number signs) and on
    # common CJK punctuation — never on a letter or a digit. Splitting on everything else here makes
    # the query's pairs a subset of the document's whenever the text contains the query.
    category = unicodedata.category(character)
    return category[0] == "L" or category == "Nd"


def bigrams(text: str) -> list[str]:
    """The distinct character pairs of each run of letters and digits of `text`, lower-cased, in order."""
    seen: dict[str, None] = {}
    for first, second in itertools.pairwise(text.lower()):
        if _is_word_character(first) and _is_word_character(second):
            seen.setdefault(first + second, None)
    return list(seen)


class MatchesBigrams(Func):
    """`<hazard table>.search_document @@ '<pair>' & …::tsquery`: the GIN-indexed column of migration 0008.

    The column is PostgreSQL's alone (generated, not on the model), so its table is taken from the
    compiled primary key, which carries whatever alias the query gives the hazard table.
    """

    output_field = BooleanField()

    def __init__(self, pairs: list[str]):
        # Pairs hold letters and digits only, never a quote or an operator: quoting each is enough.
        super().__init__(F("pk"), Value(" & ".join(f"'{pair}'" for pair in pairs)))

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[str | int]]:
        # Func's signature; the SQL is fixed, so function, template and arg_joiner are not used.
        pk, query = self.get_source_expressions()
        pk_sql, pk_params = compiler.compile(pk)
        query_sql, query_params = compiler.compile(query)
        table = pk_sql.rsplit(".", 1)[0]
        return f'({table}."search_document" @@ ({query_sql})::tsquery)', [*pk_params, *query_params]


def search_hazards(queryset: QuerySet, text: str) -> QuerySet:
    """Hazards whose number, title, description, site, location or unit name contains `text`."""

    text = text.strip()
    if not text:
        return queryset
    own_text = (
        Q(number__icontains=text)
        | Q(title__icontains=text)
        | Q(description__icontains=text)
        | Q(site_name__icontains=text)
        | Q(location__icontains=text)
    )
    # The matching organisations first, as values: PostgreSQL then estimates the unit arms from
    # real ids (a subquery's ids are unknown to the planner, which then expects a large share of
    # the ledger and scans it), and leaves them out when no unit matches.
    unit_ids = list(Organization.objects.filter(name__icontains=text).values_list("pk", flat=True))
    pairs = bigrams(text)
    if connections[queryset.db].vendor == "postgresql" and pairs:
        # A two-character word is its own bigram: the index's answer is exact and needs no recheck
        # (which would also mislead the planner into expecting a handful of rows).
        exact = len(text) == 2 and pairs == [text.lower()]
        own_text = Q(MatchesBigrams(pairs)) if exact else Q(MatchesBigrams(pairs)) & own_text
    if unit_ids:
        own_text |= Q(unit_id__in=unit_ids) | Q(rectifying_unit_id__in=unit_ids)
    return queryset.filter(own_text)
