"""case

Registration, handling events, supplement requests, messages, decisions, payments, contact
details and notifications.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_number_series",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "year", name=op.f("pk_case_number_series")),
    )
    op.create_table(
        "contact_details",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("notify_email", sa.Boolean(), nullable=False),
        sa.Column("notify_sms", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_contact_details_person_id_person")),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_contact_details")),
    )
    op.create_table(
        "case_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("sender", sa.String(length=20), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply_requested", sa.Boolean(), nullable=False),
        sa.Column("in_reply_to", sa.String(length=36), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_case_message_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to"], ["case_message.id"], name=op.f("fk_case_message_in_reply_to_case_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_message")),
    )
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_message_application_id"), ["application_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_decision_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_application_id"), ["application_id"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_notification_application_id_application")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_notification_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_application_id"), ["application_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_status"), ["status"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("external_ref", sa.String(length=80), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_payment_application_id_application")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_application_id"), ["application_id"], unique=False)

    op.create_table(
        "supplement_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_supplement_request_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["frozen_document.id"], name=op.f("fk_supplement_request_document_id_frozen_document")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["information_item.id"],
            name=op.f("fk_supplement_request_item_id_information_item"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_request")),
    )
    with op.batch_alter_table("supplement_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplement_request_application_id"), ["application_id"], unique=False)

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inbox_id", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("case_number", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("assigned_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("previous_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_application_inbox_id"), ["inbox_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_application_previous_id_application"), "application", ["previous_id"], ["id"]
        )

    # Applications sent before units existed: the inbox they were delivered to is their unit.
    op.execute(
        "UPDATE application SET inbox_id = (SELECT MIN(delivery.inbox_id) FROM delivery"
        " WHERE delivery.application_id = application.id) WHERE status <> 'draft'"
    )

    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=True))

    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_attachment_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_request_id"), ["request_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_attachment_message_id_case_message"), "case_message", ["message_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attachment_request_id_supplement_request"), "supplement_request", ["request_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attachment_request_id_supplement_request"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_attachment_message_id_case_message"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attachment_request_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_message_id"))
        batch_op.drop_column("request_id")
        batch_op.drop_column("message_id")

    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_column("data")
        batch_op.drop_column("source")

    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_application_previous_id_application"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_application_inbox_id"))
        batch_op.drop_column("previous_id")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("assigned_name")
        batch_op.drop_column("assigned_to")
        batch_op.drop_column("case_number")
        batch_op.drop_column("inbox_id")

    with op.batch_alter_table("supplement_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplement_request_application_id"))

    op.drop_table("supplement_request")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_application_id"))

    op.drop_table("payment")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_status"))
        batch_op.drop_index(batch_op.f("ix_notification_person_id"))
        batch_op.drop_index(batch_op.f("ix_notification_application_id"))

    op.drop_table("notification")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_application_id"))

    op.drop_table("decision")
    with op.batch_alter_table("case_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_message_application_id"))

    op.drop_table("case_message")
    op.drop_table("contact_details")
    op.drop_table("case_number_series")
