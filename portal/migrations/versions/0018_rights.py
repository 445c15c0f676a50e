"""the person's rights (issue 18): who read, named in the audit event itself (the actor's name, unit,
municipality and the mandate a proxy acted under), and the accessibility feedback the operator receives

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New columns only: the audit log stays append-only (its triggers refuse UPDATE and DELETE), and
    # older events keep these empty.
    # Plain ADD COLUMN (no batch copy), so SQLite keeps the table and its triggers.
    op.add_column("audit_event", sa.Column("actor_name", sa.String(length=200), nullable=True))
    op.add_column("audit_event", sa.Column("actor_unit", sa.String(length=100), nullable=True))
    op.add_column("audit_event", sa.Column("actor_municipality", sa.String(length=4), nullable=True))
    op.add_column("audit_event", sa.Column("mandate_id", sa.String(length=36), nullable=True))
    op.create_table(
        "accessibility_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("page", sa.String(length=500), nullable=True),
        sa.Column("problem", sa.String(length=4000), nullable=False),
        sa.Column("contact", sa.String(length=320), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("emailed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accessibility_feedback")),
    )


def downgrade() -> None:
    op.drop_table("accessibility_feedback")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("mandate_id")
        batch.drop_column("actor_municipality")
        batch.drop_column("actor_unit")
        batch.drop_column("actor_name")
