"""delivery circuit: an inbox's health (delivery_inbox), a record's failure kind and refusals, requeued dead
letters, and notification attempts recorded before sending

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_inbox",
        sa.Column("inbox_id", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_kind", sa.String(length=20), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("inbox_id", name=op.f("pk_delivery_inbox")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("refusals", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("requeued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("requeue_reason", sa.String(length=200), nullable=True))
    op.create_table(
        "notification_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["notification.id"], name=op.f("fk_notification_attempt_notification_id_notification")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_attempt")),
        sa.UniqueConstraint("notification_id", "number", name=op.f("uq_notification_attempt_notification_id")),
    )
    with op.batch_alter_table("notification_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_attempt_notification_id"), ["notification_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notification_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_attempt_notification_id"))
    op.drop_table("notification_attempt")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("requeue_reason")
        batch_op.drop_column("requeued_at")
        batch_op.drop_column("refusals")
        batch_op.drop_column("failure_kind")
    op.drop_table("delivery_inbox")
