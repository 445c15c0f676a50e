"""What the rights pages store: a report of an accessibility problem, sent to the operator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class AccessibilityFeedback(Base):
    """A problem someone met using the portal (lag 2018:1937 12 §: a way to tell the operator). Sent without
    logging in; ``contact`` is what they chose to give for an answer, nothing else is known about them."""

    __tablename__ = "accessibility_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    page: Mapped[str | None] = mapped_column(String(500))
    problem: Mapped[str] = mapped_column(String(4000))
    contact: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(10))
    emailed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


import portal.rights.copy  # noqa: E402,F401  (the copy's table DataCopy, beside its service)
