"""A citizen known to the portal: created at first login from the identity provider's claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
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


class WebSession(Base):
    """A browser session kept on the server (docs/design.md, "Sessions"). The cookie carries only a
    random id; this row is found by the id's SHA-256, so a copy of the table opens no session. The
    columns beside ``data`` say whose session it is, so an administrator can end all of a person's."""

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    actor_kind: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(128), index=True)  # person id, or staff subject
    role: Mapped[str | None] = mapped_column(String(20))
    municipality_code: Mapped[str | None] = mapped_column(String(4))
    unit: Mapped[str | None] = mapped_column(String(60))
    acting_for: Mapped[str | None] = mapped_column(String(36))  # the mandate a proxy acts under
    data: Mapped[str] = mapped_column(Text)  # the session's values (Flask's tagged JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
