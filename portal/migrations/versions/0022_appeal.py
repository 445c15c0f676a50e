"""appeal (issue 17, point 2): överklagande of a decision, its reconsideration (omprövning) and its
forwarding to förvaltningsrätten with the municipality's opinion

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
