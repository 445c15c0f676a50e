"""The municipality's judgement of each proposed line, as a history.

The proposed lines themselves are not rows: they are frozen in the exchange document sent (its
``calculationLines``), which is sealed by its digest. A line's current amount is its latest change
here, or the proposed amount while there is none. Rows are only ever added.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, new_id, utcnow

ACCEPT, CHANGE = "accept", "change"
ACTIONS = (ACCEPT, CHANGE)


class LineChange(Base):
    """One judgement of one line: accepted as it stands, or changed to a new amount with a reason."""

    __tablename__ = "calculation_line_change"
    __table_args__ = (
        UniqueConstraint("application_id", "idempotency_key", name="uq_calculation_line_change_idempotency"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    line_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(10))  # accept | change
    amount_ore: Mapped[int] = mapped_column(Integer)  # the line's amount after this judgement
    previous_ore: Mapped[int] = mapped_column(Integer)  # and before it
    reason: Mapped[str | None] = mapped_column(Text)  # required for a change
    changed_by: Mapped[str] = mapped_column(String(200))  # the caseworker's name, or the system's
    source: Mapped[str] = mapped_column(String(20))  # municipality (inbox) | api
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A municipality system's Idempotency-Key and the digest of its request body (API only).
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    request_sha256: Mapped[str | None] = mapped_column(String(64))
