from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, new_id, utcnow


class Delivery(Base):
    """An outbox record: written in the same transaction as the submission, so a submitted
    application is never without one; the worker moves it along."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(4))
    inbox_id: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(20))
    # The receiver's key for deduplication: the same application version is the same delivery.
    idempotency_key: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending|delivering|delivered|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InboxEntry(Base):
    """An application as the built-in inbox received it. One per application version: the
    unique key is what makes a repeated delivery land on the same entry, never a second one."""

    __tablename__ = "inbox_entry"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(4), index=True)
    inbox_id: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)


class FrozenDocument(Base):
    """The submitted application as the exchange document, frozen: its canonical bytes and
    their SHA-256. Never changed; a later supplement is a new document referring to it."""

    __tablename__ = "frozen_document"
    __table_args__ = (UniqueConstraint("application_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    refers_to: Mapped[int | None] = mapped_column(ForeignKey("frozen_document.id"))
    schema_version: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
