"""seals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("information_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("seal_key_id", sa.String(length=40), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("information_item", schema=None) as batch_op:
        batch_op.drop_column("seal_key_id")
        batch_op.drop_column("seal")
