"""add login attempts and the password-equals-username flag

Revision ID: relb_01
Revises: cal_01
Create Date: 2026-12-03 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from werkzeug.security import check_password_hash

revision = "relb_01"
down_revision = "cal_01"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "login_attempts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_username_at", ["username", "occurred_at"], unique=False)
        batch_op.create_index("ix_login_attempts_address_at", ["address", "occurred_at"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_is_username", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _flag_existing_accounts()


def _flag_existing_accounts() -> None:
    """Mark accounts created before this revision whose password is their username (demo accounts)."""
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("username", sa.String),
        sa.column("password_hash", sa.String),
        sa.column("password_is_username", sa.Boolean),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(users.c.id, users.c.username, users.c.password_hash)).all():
        if check_password_hash(row.password_hash, row.username):
            connection.execute(users.update().where(users.c.id == row.id).values(password_is_username=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_is_username")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_address_at")
        batch_op.drop_index("ix_login_attempts_username_at")
    op.drop_table("login_attempts")
