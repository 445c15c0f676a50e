"""legal representatives: four eyes. The registering administrator's fresh step-up, a second
administrator's approval (or refusal with a reason) before the mandate takes effect; legal
mandates registered by one administrator alone wait for approval

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_by_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("registered_stepup_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("approved_by_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_stepup_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("refused_by", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("refused_by_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("refusal_reason", sa.String(length=500), nullable=True))
    # A legal representative registered by one administrator alone acts no more until a second approves.
    op.execute(
        "UPDATE mandate SET status = 'awaiting_approval' WHERE kind IN ('god_man', 'forvaltare') AND status = 'active'"
    )


def downgrade() -> None:
    op.execute("UPDATE mandate SET status = 'active' WHERE status = 'awaiting_approval'")
    op.execute("UPDATE mandate SET status = 'ended' WHERE status = 'refused'")
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        for column in (
            "refusal_reason",
            "refused_at",
            "refused_by_name",
            "refused_by",
            "approved_stepup_at",
            "approved_at",
            "approved_by_name",
            "approved_by",
            "registered_stepup_at",
            "registered_by_name",
        ):
            batch_op.drop_column(column)
