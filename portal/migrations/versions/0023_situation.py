"""the applicant's situation (issue 16): the answers per application and the expected documents' answers

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "situation",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "application_id",
            sa.String(36),
            sa.ForeignKey("application.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("pages_done", sa.JSON, nullable=False),
        sa.Column("unconfirmed", sa.JSON, nullable=False),
        sa.Column("prefilled_from", sa.String(36), sa.ForeignKey("application.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "situation_document",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "application_id",
            sa.String(36),
            sa.ForeignKey("application.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("requirement", sa.String(60), nullable=False),
        sa.Column("answer", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("attachment_id", sa.String(36), sa.ForeignKey("attachment.id", ondelete="SET NULL")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("application_id", "requirement"),
    )


def downgrade() -> None:
    op.drop_table("situation_document")
    op.drop_table("situation")
