from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, new_id, utcnow

REASON_MAX = 500


class Situation(Base):
    """The applicant's answers for one application.

    ``answers`` holds the household's answers by question key and, under ``"members"``, each
    member's own by the member's id (as a string): the questions are data (questions.py), so a new
    question needs no migration. ``unconfirmed`` lists the answers copied from last month's
    application that the applicant has not yet confirmed or changed (``"key"`` or ``"member_id:key"``).
    """

    __tablename__ = "situation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # The pages the applicant has saved at least once; the section is complete when every page shown is.
    pages_done: Mapped[list] = mapped_column(JSON, default=list)
    unconfirmed: Mapped[list] = mapped_column(JSON, default=list)
    prefilled_from: Mapped[str | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DocumentAnswer(Base):
    """What the applicant did about one expected document: attached a file (``attachment_id``),
    will send it later, or does not have it (with the reason). The requirement itself is derived
    from the answers each time (documents.py), so only the applicant's response is stored."""

    __tablename__ = "situation_document"
    __table_args__ = (UniqueConstraint("application_id", "requirement"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    requirement: Mapped[str] = mapped_column(String(60))  # documents.Requirement.key
    answer: Mapped[str] = mapped_column(String(20))  # attached, later, unavailable
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    attachment_id: Mapped[str | None] = mapped_column(ForeignKey("attachment.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
