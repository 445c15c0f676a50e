"""Case tables. The timeline itself is ``ApplicationEvent`` (portal/application/models.py); the
rows here hold what an event refers to."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.case.states import NotificationStatus
from portal.db import Base, UTCDateTime, new_id, utcnow


class CaseNumberSeries(Base):
    """A municipality's series of case numbers (diarienummer) for one year: ``EB-2026-000123``.
    ``last`` is taken with an atomic increment, so numbers are unique and gap-free under
    concurrent registration."""

    __tablename__ = "case_number_series"

    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SupplementRequest(Base):
    """Komplettering: the municipality asks the applicant for something (what, why, by when),
    optionally about one fetched item. Answered with text and files, tied to the request."""

    __tablename__ = "supplement_request"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    what: Mapped[str] = mapped_column(String(500))
    why: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    # The fetched item the request is about. Items are never deleted after sending.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("information_item.id", ondelete="SET NULL"))
    requested_by: Mapped[str] = mapped_column(String(200))  # the caseworker's or system's name
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a caseworker opened the answer: until then the case is listed as "supplemented".
    answer_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The frozen document version that carries the answer (a new document referring to the first).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("frozen_document.id"))

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class Message(Base):
    """A message on a case, either way. A caseworker's message can ask for a reply."""

    __tablename__ = "case_message"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    sender: Mapped[str] = mapped_column(String(20))  # applicant | municipality
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    reply_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    in_reply_to: Mapped[str | None] = mapped_column(ForeignKey("case_message.id"))
    # The applicant's: the expected document it sends, one they said at sending would come later (its key).
    document_requirement: Mapped[str | None] = mapped_column(String(60))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # by the other side


class Decision(Base):
    """The municipality's decision (beslut) with its document. Immutable once made."""

    __tablename__ = "decision"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # a DecisionOutcome
    amount: Mapped[int | None] = mapped_column(Integer)  # whole kronor, where granted
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    reasoning: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    document: Mapped[bytes] = mapped_column(LargeBinary)  # the decision as a PDF
    document_sha256: Mapped[str] = mapped_column(String(64))
    # Delgivning (portal/delgivning): the day the decision was served and how (digital | paper). The appeal's
    # three weeks run from it; None until served.
    served_on: Mapped[date | None] = mapped_column(Date)
    served_channel: Mapped[str | None] = mapped_column(String(20))
    # The calculation lines as decided (portal/calculation): each proposed line with its final amount, whether
    # the municipality accepted or changed it, and why. None for a decision without lines (an older document).
    calculation_lines: Mapped[list | None] = mapped_column(JSON)


class Payment(Base):
    """A payment of granted assistance: planned, then paid (or stopped or cancelled)."""

    __tablename__ = "payment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    # The municipality's own reference: a repeated report of the same payment updates it.
    external_ref: Mapped[str | None] = mapped_column(String(80))
    amount: Mapped[int] = mapped_column(Integer)  # whole kronor
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))  # a PaymentState
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ContactDetails(Base):
    """The applicant's own contact details, used only to say that there is news."""

    __tablename__ = "contact_details"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(10))  # for the notification's wording
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Notification(Base):
    """An outbox of notifications ("there is news, look here"): written with the event that
    causes it, sent by the worker, so a mail server that is down never blocks a caseworker."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    application_id: Mapped[str | None] = mapped_column(ForeignKey("application.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    reason: Mapped[str] = mapped_column(String(40))  # the event kind; never shown in the text
    status: Mapped[str] = mapped_column(String(20), default=NotificationStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
