"""frozen document

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frozen_document",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("refers_to", sa.Integer(), nullable=True),
        sa.Column("schema_version", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_frozen_document_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["refers_to"], ["frozen_document.id"], name=op.f("fk_frozen_document_refers_to_frozen_document")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_document")),
        sa.UniqueConstraint("application_id", "version", name=op.f("uq_frozen_document_application_id")),
    )
    with op.batch_alter_table("frozen_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frozen_document_application_id"), ["application_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("frozen_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frozen_document_application_id"))

    op.drop_table("frozen_document")
