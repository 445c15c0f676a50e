"""consent fetch items

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("given_by_person_id", sa.String(length=36), nullable=False),
        sa.Column("as_guardian", sa.Boolean(), nullable=False),
        sa.Column("wording_version", sa.String(length=20), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_consent_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["given_by_person_id"], ["person.id"], name=op.f("fk_consent_given_by_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["household_member.id"], name=op.f("fk_consent_member_id_household_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consent_member_id"), ["member_id"], unique=False)

    op.create_table(
        "fetch_call",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("info_set", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_fetch_call_application_id_application")
        ),
        sa.ForeignKeyConstraint(["consent_id"], ["consent.id"], name=op.f("fk_fetch_call_consent_id_consent")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["household_member.id"], name=op.f("fk_fetch_call_member_id_household_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch_call")),
    )
    with op.batch_alter_table("fetch_call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fetch_call_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fetch_call_consent_id"), ["consent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fetch_call_member_id"), ["member_id"], unique=False)

    op.create_table(
        "information_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("info_set", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=120), nullable=False),
        sa.Column("theme", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("amount_ore", sa.Integer(), nullable=True),
        sa.Column("gross", sa.Boolean(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_information_item_application_id_application")
        ),
        sa.ForeignKeyConstraint(["consent_id"], ["consent.id"], name=op.f("fk_information_item_consent_id_consent")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["household_member.id"], name=op.f("fk_information_item_member_id_household_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_item")),
    )
    with op.batch_alter_table("information_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_information_item_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_information_item_consent_id"), ["consent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_information_item_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personnummer", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_household_member_person_id_person"), "person", ["person_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_household_member_person_id_person"), type_="foreignkey")
        batch_op.drop_column("person_id")
        batch_op.drop_column("personnummer")

    with op.batch_alter_table("information_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_information_item_member_id"))
        batch_op.drop_index(batch_op.f("ix_information_item_consent_id"))
        batch_op.drop_index(batch_op.f("ix_information_item_application_id"))

    op.drop_table("information_item")
    with op.batch_alter_table("fetch_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fetch_call_member_id"))
        batch_op.drop_index(batch_op.f("ix_fetch_call_consent_id"))
        batch_op.drop_index(batch_op.f("ix_fetch_call_application_id"))

    op.drop_table("fetch_call")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_member_id"))
        batch_op.drop_index(batch_op.f("ix_consent_application_id"))

    op.drop_table("consent")
