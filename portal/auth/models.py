"""A citizen known to the portal: created at first login from the identity provider's claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, new_id, utcnow


class Person(Base):
    """A logged-in citizen. The personnummer is kept because providers are asked by it; it is
    never put in a URL, a log line or the audit log (which refer to ``id``)."""

    __tablename__ = "person"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    oidc_subject: Mapped[str] = mapped_column(String(128), unique=True)
    personnummer: Mapped[str] = mapped_column(String(12), unique=True)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
