"""The service record of one decision: an outbox row the worker moves along."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, new_id, utcnow
from portal.delgivning.states import DelgivningStatus


class Delgivning(Base):
    __tablename__ = "delgivning"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decision.id"), unique=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(4), index=True)
    status: Mapped[str] = mapped_column(String(20), default=DelgivningStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))
    mailbox: Mapped[str | None] = mapped_column(String(80))  # the person's mailbox operator (Kivra, ...)
    receipt_id: Mapped[str | None] = mapped_column(String(80))  # the infrastructure's delivery receipt
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as the receipt says
    # Why paper: no_mailbox | lookup_failed | send_failed | not_configured
    paper_reason: Mapped[str | None] = mapped_column(String(40))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # put in the print queue
    batch_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last taken into a batch PDF
    confirmed_by: Mapped[str | None] = mapped_column(String(200))  # who confirmed it was posted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
