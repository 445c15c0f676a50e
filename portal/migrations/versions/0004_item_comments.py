"""item comments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_comment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("author_person_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_item_comment_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["author_person_id"], ["person.id"], name=op.f("fk_item_comment_author_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["information_item.id"],
            name=op.f("fk_item_comment_item_id_information_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_comment")),
        sa.UniqueConstraint("item_id", name=op.f("uq_item_comment_item_id")),
    )
    with op.batch_alter_table("item_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_comment_application_id"), ["application_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_comment_application_id"))

    op.drop_table("item_comment")
