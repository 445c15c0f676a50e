"""The submitted application as it left: the frozen exchange document (its table keeps the name it had
under ``portal/delivery``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


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
