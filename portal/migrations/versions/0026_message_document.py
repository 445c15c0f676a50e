"""a message may carry a document the applicant said would come later (an expected document's requirement key),
so the case page shows it as sent

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_message") as batch:
        batch.add_column(sa.Column("document_requirement", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_message") as batch:
        batch.drop_column("document_requirement")
