"""One appeal of one decision, with what the municipality did with it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.appeal.states import AppealStatus
from portal.db import Base, UTCDateTime, new_id, utcnow


class Appeal(Base):
    __tablename__ = "appeal"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decision.id"), unique=True)  # one appeal per decision
    municipality_code: Mapped[str] = mapped_column(String(4), index=True)
    status: Mapped[str] = mapped_column(String(20), default=AppealStatus.SENT, index=True)
    change: Mapped[str] = mapped_column(Text)  # what the person wants changed
    reasons: Mapped[str] = mapped_column(Text)  # why
    language: Mapped[str] = mapped_column(String(10))  # the language the person wrote in (the page's)
    signed_by: Mapped[str] = mapped_column(ForeignKey("person.id"))  # the applicant, or their ombud
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the step-up's authentication time
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[date] = mapped_column(Date)
    deadline_basis: Mapped[str] = mapped_column(String(20))  # served | decided
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # sent after the deadline (Swedish day)
    document_version: Mapped[int] = mapped_column()  # the frozen document version of the case that holds it
    document: Mapped[bytes] = mapped_column(LargeBinary)  # the appeal as a PDF/A
    document_sha256: Mapped[str] = mapped_column(String(64))
    reconsideration: Mapped[str | None] = mapped_column(String(20))  # kept | changed
    reconsideration_note: Mapped[str | None] = mapped_column(Text)
    reconsidered_by: Mapped[str | None] = mapped_column(String(200))
    reconsidered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opinion: Mapped[str | None] = mapped_column(Text)  # the municipality's yttrande to the court
    forwarded_on: Mapped[date | None] = mapped_column(Date)
    forwarded_by: Mapped[str | None] = mapped_column(String(200))
