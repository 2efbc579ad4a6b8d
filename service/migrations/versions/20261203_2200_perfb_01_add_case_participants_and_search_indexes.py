"""add case participants, started-by and task due indexes, and trigram search indexes

Revision ID: perfb_01
Revises: rela_03
Create Date: 2026-12-03 22:00:00.000000

`case_participants` answers "the cases this user acted on" by index (the visibility rule of the
case list and of every case read); it is filled here from the audit log and kept on every event.
On PostgreSQL, `pg_trgm` GIN indexes serve the `LIKE '%text%'` search on case text and titles.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "perfb_01"
down_revision = "studio_01"
branch_labels = None
depends_on = None

_TRGM_COLUMNS = ("search_text", "title")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "case_participants",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("instance_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_case_participants_instance_id_process_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("username", "instance_id", name=op.f("pk_case_participants")),
    )
    op.create_index(op.f("ix_case_participants_instance_id"), "case_participants", ["instance_id"])
    op.execute(
        "INSERT INTO case_participants (username, instance_id) "
        "SELECT DISTINCT actor, instance_id FROM audit_events "
        "WHERE instance_id IS NOT NULL AND actor <> 'system'"
    )
    op.create_index(op.f("ix_process_instances_started_by_id"), "process_instances", ["started_by_id"])
    op.create_index(op.f("ix_human_tasks_due_at"), "human_tasks", ["due_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in _TRGM_COLUMNS:  # on SQLite a plain index of the same name (see the model)
        op.create_index(
            f"ix_process_instances_{column}_trgm",
            "process_instances",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    """Revert this revision."""
    for column in _TRGM_COLUMNS:
        op.drop_index(f"ix_process_instances_{column}_trgm", table_name="process_instances")
    op.drop_index(op.f("ix_human_tasks_due_at"), table_name="human_tasks")
    op.drop_index(op.f("ix_process_instances_started_by_id"), table_name="process_instances")
    op.drop_index(op.f("ix_case_participants_instance_id"), table_name="case_participants")
    op.drop_table("case_participants")
