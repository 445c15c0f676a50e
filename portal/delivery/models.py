from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, new_id, utcnow
from portal.delivery.states import DeliveryStatus, InboxState


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
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    # What the last failure was: timeout (no answer in time: the receiver may have it), unavailable,
    # configuration (both the inbox's), refused or document (this record's). Only the record's own count
    # towards dead-lettering (``refusals``); the inbox's hold the inbox (:class:`DeliveryInbox`).
    failure_kind: Mapped[str | None] = mapped_column(String(20))
    refusals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An administrator put a dead letter back in its queue: when and why (the audit log has who).
    requeued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requeue_reason: Mapped[str | None] = mapped_column(String(200))
    # The request that submitted it (portal/ops/logs.py): the worker's lines about this delivery carry it.
    request_id: Mapped[str | None] = mapped_column(String(36))


class DeliveryInbox(Base):
    """One inbox's delivery health: its circuit. A row appears at the inbox's first failure.

    Failures of the inbox as a whole (no answer in time, not reachable, 5xx, misconfigured) count here,
    never on a record: the inbox backs off, and after :data:`portal.delivery.services.PAUSE_AFTER` of them
    in a row it is *paused* (an alert is logged and administrators see it) with its queue intact and in
    order; the head is tried now and then, and the first success closes the circuit again."""

    __tablename__ = "delivery_inbox"

    inbox_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default=InboxState.WORKING)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_kind: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(String(200))
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationAttempt(Base):
    """One try at sending a notification, written and committed *before* the mail or SMS goes out.

    A worker that dies between sending and recording the outcome leaves an attempt without an outcome:
    the next try sees it (and logs it), and sends the same ``Message-ID``, so the mail systems and the
    reader can tell a repeat from a new message. (See docs/decisions/0003-outbox-and-worker.md.)"""

    __tablename__ = "notification_attempt"
    __table_args__ = (UniqueConstraint("notification_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str] = mapped_column(String(200))  # the same for every attempt of a notification
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))  # sent|retry|failed|interrupted


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
