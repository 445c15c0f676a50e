"""delgivning (issue 17, point 1): serving the decision by digital mail, with paper as the fallback. The
service record per decision (lookup, secure message, receipt, print queue) and the served date and channel
on the decision itself, where the appeal (point 2) reads them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delgivning",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("decision_id", sa.String(36), sa.ForeignKey("decision.id"), nullable=False, unique=True),
        sa.Column("application_id", sa.String(36), sa.ForeignKey("application.id"), nullable=False, index=True),
        sa.Column("municipality_code", sa.String(4), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(200)),
        sa.Column("mailbox", sa.String(80)),
        sa.Column("receipt_id", sa.String(80)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("paper_reason", sa.String(40)),
        sa.Column("queued_at", sa.DateTime(timezone=True)),
        sa.Column("batch_printed_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_by", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("served_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("served_channel", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("served_channel")
        batch.drop_column("served_on")
    op.drop_table("delgivning")
