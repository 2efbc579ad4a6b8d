"""add a bigram index for two-character case searches (PostgreSQL)

Revision ID: perfc_01
Revises: perfb_01
Create Date: 2026-12-04 04:00:00.000000

A trigram index cannot serve `LIKE '%王伟%'`: a two-character term has no trigram, so such a search
scanned every case. `zhifa_bigrams(text)` returns the distinct two-character substrings of a text;
a GIN index on the bigrams of the case text and title finds the cases holding a two-character term
(the `LIKE` is still applied to the few rows found). An expression index keeps itself current: no
column to fill, nothing for the application to write. SQLite has no such index (search scans there).
"""

from __future__ import annotations

from alembic import op

revision = "perfc_01"
down_revision = "perfb_01"
branch_labels = None
depends_on = None

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION zhifa_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BIGRAMS_FUNCTION)
    op.execute(
        "CREATE INDEX ix_process_instances_search_bigrams ON process_instances "
        "USING gin (zhifa_bigrams(search_text || ' ' || title))"
    )


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_process_instances_search_bigrams")
    op.execute("DROP FUNCTION IF EXISTS zhifa_bigrams(text)")
