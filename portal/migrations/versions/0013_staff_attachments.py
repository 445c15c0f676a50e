"""staff attachments: a caseworker or a municipality's system can attach files to its messages

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPLOADER = (
    "(uploaded_by_person_id IS NOT NULL AND uploaded_by_staff IS NULL)"
    " OR (uploaded_by_person_id IS NULL AND uploaded_by_staff IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uploaded_by_staff", sa.String(length=200), nullable=True))
        batch_op.alter_column("uploaded_by_person_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.create_check_constraint(op.f("ck_attachment_uploader"), sa.text(UPLOADER))


def downgrade() -> None:
    # The municipality's files have no citizen uploader: they go before the column can be required.
    # (Their stored bytes are left to the storage sweep of keys no row refers to.)
    op.execute("DELETE FROM attachment WHERE uploaded_by_person_id IS NULL")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attachment_uploader"), type_="check")
        batch_op.alter_column("uploaded_by_person_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column("uploaded_by_staff")
