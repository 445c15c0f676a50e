from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow

# Bumped whenever the consent texts change, so each record says which words were agreed to.
WORDING_VERSION = "2026-11-1"


class Consent(Base):
    """A consent to fetch one unit (a provider's basic or extended sets, or folkbokföring)
    about one household member. ``given_by_person_id`` is who agreed: the member themselves, or
    the applicant as guardian of a child."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(20))  # folkbokforing | basic | extended
    given_by_person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    as_guardian: Mapped[bool] = mapped_column(default=False)
    wording_version: Mapped[str] = mapped_column(String(20), default=WORDING_VERSION)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Given by a proxy (ombud) acting for ``given_by_person_id`` under the named mandate.
    proxy_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    mandate_reference: Mapped[str | None] = mapped_column(String(20))

    @property
    def active(self) -> bool:
        return self.revoked_at is None
