"""a copy of my data (issue 18, point 4): the person's request for a copy, prepared by the worker and kept
(the ZIP itself) until it expires

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_copy",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("package", sa.LargeBinary(), nullable=True),
        sa.Column("package_size", sa.Integer(), nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_copy")),
    )
    op.create_index("ix_data_copy_person_id", "data_copy", ["person_id"])
    op.create_index("ix_data_copy_status", "data_copy", ["status"])


def downgrade() -> None:
    op.drop_index("ix_data_copy_status", table_name="data_copy")
    op.drop_index("ix_data_copy_person_id", table_name="data_copy")
    op.drop_table("data_copy")
