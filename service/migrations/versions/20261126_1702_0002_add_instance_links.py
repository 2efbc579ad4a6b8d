"""add instance links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 17:02:35.342213
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "instance_links",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("from_instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("to_instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_instance_id"],
            ["process_instances.id"],
            name=op.f("fk_instance_links_from_instance_id_process_instances"),
        ),
        sa.ForeignKeyConstraint(
            ["to_instance_id"],
            ["process_instances.id"],
            name=op.f("fk_instance_links_to_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_links")),
    )
    with op.batch_alter_table("instance_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instance_links_from_instance_id"), ["from_instance_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_instance_links_to_instance_id"), ["to_instance_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("instance_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instance_links_to_instance_id"))
        batch_op.drop_index(batch_op.f("ix_instance_links_from_instance_id"))

    op.drop_table("instance_links")
