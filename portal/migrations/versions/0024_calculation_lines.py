"""calculation lines (issue 16, point 3): the municipality's accept/change history for each line proposed
in the exchange document, and the final lines a decision carries

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calculation_line_change",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("application_id", sa.String(36), nullable=False),
        sa.Column("line_id", sa.String(80), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.Column("previous_ore", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=True),
        sa.Column("request_sha256", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_calculation_line_change_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calculation_line_change")),
        sa.UniqueConstraint("application_id", "idempotency_key", name="uq_calculation_line_change_idempotency"),
    )
    op.create_index(
        op.f("ix_calculation_line_change_application_id"), "calculation_line_change", ["application_id"], unique=False
    )
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("calculation_lines", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("calculation_lines")
    op.drop_index(op.f("ix_calculation_line_change_application_id"), table_name="calculation_line_change")
    op.drop_table("calculation_line_change")
