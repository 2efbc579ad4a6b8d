"""add timer schedule

Workers claim instances by `timer_wake_at` alone (due time, lease or back-off), so a claim never
needs to know what was processed before. Running instances start from their next due timer.

Revision ID: rela_02
Revises: rela_01
Create Date: 2026-12-03 16:31:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rela_02"
down_revision = "rela_01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timer_wake_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("timer_leases", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(
            batch_op.f("ix_process_instances_timer_wake_at"), ["timer_wake_at"], unique=False
        )
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.alter_column("timer_leases", server_default=None)
    op.execute(
        "UPDATE process_instances SET timer_wake_at = next_timer_due_at "
        "WHERE status = 'running' AND next_timer_due_at IS NOT NULL"
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instances_timer_wake_at"))
        batch_op.drop_column("timer_leases")
        batch_op.drop_column("timer_wake_at")
