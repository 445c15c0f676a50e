"""supplements: incomes, costs, assets and free text the applicant adds

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplement_income",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_supplement_income_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["household_member.id"],
            name=op.f("fk_supplement_income_member_id_household_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_income")),
    )
    with op.batch_alter_table("supplement_income", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplement_income_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supplement_income_member_id"), ["member_id"], unique=False)

    op.create_table(
        "supplement_cost",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("amount_ore", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_supplement_cost_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_cost")),
    )
    with op.batch_alter_table("supplement_cost", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplement_cost_application_id"), ["application_id"], unique=False)

    op.create_table(
        "supplement_asset",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("value_ore", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_supplement_asset_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_asset")),
    )
    with op.batch_alter_table("supplement_asset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplement_asset_application_id"), ["application_id"], unique=False)

    op.create_table(
        "supplement_text",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_supplement_text_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_text")),
        sa.UniqueConstraint("application_id", name=op.f("uq_supplement_text_application_id")),
    )


def downgrade() -> None:
    op.drop_table("supplement_text")
    with op.batch_alter_table("supplement_asset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplement_asset_application_id"))

    op.drop_table("supplement_asset")
    with op.batch_alter_table("supplement_cost", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplement_cost_application_id"))

    op.drop_table("supplement_cost")
    with op.batch_alter_table("supplement_income", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplement_income_member_id"))
        batch_op.drop_index(batch_op.f("ix_supplement_income_application_id"))

    op.drop_table("supplement_income")
