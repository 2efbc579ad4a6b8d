"""add worker heartbeats

Revision ID: rela_03
Revises: rela_02
Create Date: 2026-12-03 16:32:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rela_03"
down_revision = "rela_02"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "worker_heartbeats",
        sa.Column("worker_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("poll_seconds", sa.Float(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_fired", sa.Integer(), nullable=False),
        sa.Column("last_failed", sa.Integer(), nullable=False),
        sa.Column("total_fired", sa.BigInteger(), nullable=False),
        sa.Column("total_failed", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeats")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("worker_heartbeats")
