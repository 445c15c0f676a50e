"""mandates: proxies (ombud) and legal representatives, their uses, consents given by a proxy

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mandate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("principal_personnummer", sa.String(length=12), nullable=False),
        sa.Column("principal_id", sa.String(length=36), nullable=True),
        sa.Column("principal_name", sa.String(length=200), nullable=True),
        sa.Column("proxy_personnummer", sa.String(length=12), nullable=False),
        sa.Column("proxy_id", sa.String(length=36), nullable=True),
        sa.Column("proxy_name", sa.String(length=200), nullable=True),
        sa.Column("scopes", sa.String(length=60), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("wording_version", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signature_acr", sa.String(length=80), nullable=True),
        sa.Column("seal", sa.String(length=200), nullable=True),
        sa.Column("seal_key_id", sa.String(length=40), nullable=True),
        sa.Column("decision_reference", sa.String(length=60), nullable=True),
        sa.Column("registered_by", sa.String(length=128), nullable=True),
        sa.Column("principal_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["principal_id"], ["person.id"], name=op.f("fk_mandate_principal_id_person")),
        sa.ForeignKeyConstraint(["proxy_id"], ["person.id"], name=op.f("fk_mandate_proxy_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandate")),
        sa.UniqueConstraint("reference", name=op.f("uq_mandate_reference")),
    )
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandate_principal_id"), ["principal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mandate_principal_personnummer"), ["principal_personnummer"], unique=False)
        batch_op.create_index(batch_op.f("ix_mandate_proxy_id"), ["proxy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mandate_proxy_personnummer"), ["proxy_personnummer"], unique=False)
        batch_op.create_index(batch_op.f("ix_mandate_status"), ["status"], unique=False)

    op.create_table(
        "mandate_use",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("mandate_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_mandate_use_application_id_application")
        ),
        sa.ForeignKeyConstraint(["mandate_id"], ["mandate.id"], name=op.f("fk_mandate_use_mandate_id_mandate")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandate_use")),
        sa.UniqueConstraint("application_id", "mandate_id", "kind", name=op.f("uq_mandate_use_application_id")),
    )
    with op.batch_alter_table("mandate_use", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandate_use_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mandate_use_mandate_id"), ["mandate_id"], unique=False)

    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proxy_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("mandate_reference", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_consent_proxy_id_person"), "person", ["proxy_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consent_proxy_id_person"), type_="foreignkey")
        batch_op.drop_column("mandate_reference")
        batch_op.drop_column("proxy_id")

    with op.batch_alter_table("mandate_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandate_use_mandate_id"))
        batch_op.drop_index(batch_op.f("ix_mandate_use_application_id"))

    op.drop_table("mandate_use")
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandate_status"))
        batch_op.drop_index(batch_op.f("ix_mandate_proxy_personnummer"))
        batch_op.drop_index(batch_op.f("ix_mandate_proxy_id"))
        batch_op.drop_index(batch_op.f("ix_mandate_principal_personnummer"))
        batch_op.drop_index(batch_op.f("ix_mandate_principal_id"))

    op.drop_table("mandate")
