"""add definition activation (roll-back makes an older version current)

Revision ID: studio_01
Revises: rela_03
Create Date: 2026-12-03 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "studio_01"
down_revision = "audit_01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision: every existing version is activated in version order."""
    with op.batch_alter_table("process_definitions") as batch:
        batch.add_column(sa.Column("activation", sa.Integer(), nullable=False, server_default="0"))
    op.execute("UPDATE process_definitions SET activation = version")
    with op.batch_alter_table("process_definitions") as batch:
        batch.alter_column("activation", server_default=None)
        batch.create_unique_constraint("uq_process_definitions_key_activation", ["key", "activation"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("process_definitions") as batch:
        batch.drop_constraint("uq_process_definitions_key_activation", type_="unique")
        batch.drop_column("activation")
