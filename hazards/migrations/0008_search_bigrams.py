"""Text search on PostgreSQL: each hazard's own text kept as its character bigrams (hazards/search.py).

`hazard_search_document(number, title, description, site_name, location)` splits the lower-cased
text on ASCII space and punctuation and common CJK punctuation, and returns the distinct two-character
pairs of each piece as a tsvector without positions (of the description's first 20,000 characters:
a tsvector holds at most 1 MB). The column `search_document` is generated from
it and stored with the row (kept up to date by PostgreSQL on every insert and update), with a GIN
index that answers `@@ '煤矿'::tsquery` (and the AND of the pairs of a longer query).

Stored rather than an expression index: checking a row then reads the column instead of computing
the function again (about 90 µs a row), so the planner may also walk the list's order and test rows
one by one when a word is common. The column is not on the model — Django neither reads nor writes
it — and other databases search with a plain scan.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION hazard_search_document(
    number text, title text, description text, site_name text, location text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT substr(piece, i, 2))), ''::tsvector)
    FROM regexp_split_to_table(
        lower(concat_ws(' ', number, title, left(description, 20000), site_name, location)),
        '[[:space:][:punct:]，。、；：！？（）“”‘’《》【】…·—]+'
    ) AS piece,
    generate_series(1, char_length(piece) - 1) AS i
$$;
ALTER TABLE hazards_hazard ADD COLUMN search_document tsvector
    GENERATED ALWAYS AS (hazard_search_document(number, title, description, site_name, location)) STORED;
CREATE INDEX hazard_search_bigrams_idx ON hazards_hazard USING gin (search_document);
"""
DROP = """
DROP INDEX IF EXISTS hazard_search_bigrams_idx;
ALTER TABLE hazards_hazard DROP COLUMN IF EXISTS search_document;
DROP FUNCTION IF EXISTS hazard_search_document(text, text, text, text, text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("hazards", "0007_export_job")]

    operations = [migrations.RunPython(create, drop)]
