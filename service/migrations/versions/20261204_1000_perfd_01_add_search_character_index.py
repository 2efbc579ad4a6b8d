"""add a character index for one-character case searches (PostgreSQL)

Revision ID: perfd_01
Revises: perfc_01
Create Date: 2026-12-04 10:00:00.000000

A one-character search (张, 路, a digit) has neither a trigram nor a bigram and scanned every case.
A GIN index on `string_to_array(search_text || ' ' || title, NULL)` (the text's characters; a
built-in function, so nothing for the application to write and cheap to check on a row) finds the
cases holding a character, and its statistics tell the planner how common each character is: a
rare one is fetched from the index and sorted, a common one found by walking the cases newest
first. SQLite has no such index (search scans there).

`ix_human_tasks_role_due` gains the case id as an included column (PostgreSQL): the visibility
rule's "an open task of my role" probe, hashed by the planner when a search walks many cases, then
reads the index alone instead of every task row.
"""

from __future__ import annotations

from alembic import op

revision = "perfd_01"
down_revision = "perfc_01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_process_instances_search_chars ON process_instances "
        "USING gin (string_to_array(search_text || ' ' || title, NULL))"
    )
    op.drop_index("ix_human_tasks_role_due", table_name="human_tasks")
    op.create_index(
        "ix_human_tasks_role_due", "human_tasks", ["role", "due_at"], postgresql_include=["instance_id"]
    )


def downgrade() -> None:
    """Revert this revision."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_human_tasks_role_due", table_name="human_tasks")
    op.create_index("ix_human_tasks_role_due", "human_tasks", ["role", "due_at"])
    op.execute("DROP INDEX IF EXISTS ix_process_instances_search_chars")
