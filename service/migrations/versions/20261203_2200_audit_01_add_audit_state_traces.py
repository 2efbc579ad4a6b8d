"""add audit state traces (the diagram after any event), background chain verifications, public notices

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

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


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
    op.create_table(
        "public_notices",
        sa.Column("instance_id", BigId, nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("party_type", sa.String(length=20), nullable=True),
        sa.Column("case_kind", sa.String(length=50), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("display_until", sa.Date(), nullable=True),
        sa.Column("hidden_since", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_public_notices_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_public_notices")),
    )
    op.create_index(op.f("ix_public_notices_party_type"), "public_notices", ["party_type"])
    op.create_index(op.f("ix_public_notices_case_kind"), "public_notices", ["case_kind"])
    op.create_index(op.f("ix_public_notices_published_on"), "public_notices", ["published_on"])
    op.create_index(op.f("ix_public_notices_display_until"), "public_notices", ["display_until"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("public_notices")
    op.drop_table("audit_verify_jobs")
    op.drop_table("audit_state_traces")
