"""the inbox's order as an index (issue 15, point 5): a municipality's cases by submitted_at, so a page of
the inbox is read in order rather than sorted from all of the municipality's cases

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_application_municipality_submitted", "application", ["municipality_code", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_application_municipality_submitted", table_name="application")
