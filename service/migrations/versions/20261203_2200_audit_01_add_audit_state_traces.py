"""add audit state traces (the diagram after any event) and background chain verifications

Revision ID: audit_01
Revises: rela_03
Create Date: 2026-12-03 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audit_01"
down_revision = "rela_03"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_state_traces",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nodes", sa.JSON(), nullable=False),
        sa.Column("edges", sa.JSON(), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_audit_state_traces")),
    )
    op.create_table(
        "audit_verify_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("stream", sa.String(length=50), nullable=True),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("first_break", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verify_jobs")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("audit_verify_jobs")
    op.drop_table("audit_state_traces")
