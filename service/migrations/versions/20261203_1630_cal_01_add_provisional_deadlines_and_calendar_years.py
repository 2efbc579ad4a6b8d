"""add provisional deadlines and entered calendar years

Revision ID: cal_01
Revises: web_01
Create Date: 2026-12-03 16:30:13.258278
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "cal_01"
down_revision = "web_01"
branch_labels = None
depends_on = None

_FLAGS = (
    ("human_tasks", "due_provisional"),
    ("human_tasks", "deadline_moved_earlier"),
    ("instance_timers", "provisional"),
    ("process_instances", "provisional_deadlines"),
)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("workdays", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    # Existing rows get false, then the default goes: the models set every flag themselves.
    for table, column in _FLAGS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.false()))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, server_default=None)
    for table in ("human_tasks", "instance_timers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("legal_basis", sa.String(length=300), nullable=True))
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_instances_provisional_deadlines"), ["provisional_deadlines"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instances_provisional_deadlines"))
    for table in ("human_tasks", "instance_timers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("legal_basis")
    for table, column in _FLAGS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
    op.drop_table("calendar_years")
