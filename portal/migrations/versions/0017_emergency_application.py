"""a second application for a month already applied for, made on purpose (an emergency), and why

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("emergency", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("emergency_reason", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.drop_column("emergency_reason")
        batch.drop_column("emergency")
