from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """One read or change of personal data: who acted, on whose behalf, what, why and when.

    Append-only: database triggers (see the migration) refuse UPDATE and DELETE.
    Never holds a personnummer: actor and subject are internal ids.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(128))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(36))
    # Who read, named when it happened (staff are not persons in the portal; a name or unit may change):
    # shown to the subject on "who has read my data" (issue 18). Empty on events older than migration 0018.
    actor_name: Mapped[str | None] = mapped_column(String(200))
    actor_unit: Mapped[str | None] = mapped_column(String(100))
    actor_municipality: Mapped[str | None] = mapped_column(String(4))
    mandate_id: Mapped[str | None] = mapped_column(String(36))  # the mandate a proxy acted under
