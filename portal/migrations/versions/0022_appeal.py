"""appeal (issue 17, point 2): överklagande of a decision, its reconsideration (omprövning) and its
forwarding to förvaltningsrätten with the municipality's opinion

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeal",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("application_id", sa.String(36), sa.ForeignKey("application.id"), nullable=False, index=True),
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decision.id"), nullable=False, unique=True),
        sa.Column("municipality_code", sa.String(4), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("change", sa.Text, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("signed_by", sa.String(36), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("deadline_basis", sa.String(20), nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("document_version", sa.Integer, nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("reconsideration", sa.String(20)),
        sa.Column("reconsideration_note", sa.Text),
        sa.Column("reconsidered_by", sa.String(200)),
        sa.Column("reconsidered_at", sa.DateTime(timezone=True)),
        sa.Column("opinion", sa.Text),
        sa.Column("forwarded_on", sa.Date),
        sa.Column("forwarded_by", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("appeal")
