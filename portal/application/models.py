from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.application.states import SENT, ApplicationStatus
from portal.db import Base, UTCDateTime, new_id, utcnow


def is_sent(application: Application) -> bool:
    """Sent, whatever happened after."""
    return application.status in SENT


class Application(Base):
    __tablename__ = "application"
    # The inbox lists a municipality's cases newest first, a page at a time: with this index PostgreSQL
    # reads the page in order instead of sorting every case the municipality has ever had (issue 15).
    __table_args__ = (Index("ix_application_municipality_submitted", "municipality_code", "submitted_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    applicant_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    period: Mapped[date] = mapped_column(Date)  # first day of the month applied for
    status: Mapped[str] = mapped_column(String(20), default=ApplicationStatus.DRAFT, index=True)
    municipality_code: Mapped[str | None] = mapped_column(String(4), index=True)
    # Protected identity (sekretessmarkering / skyddad folkbokföring): no address is kept.
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    post_town: Mapped[str | None] = mapped_column(String(100))
    folkbokforing_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    folkbokforing_error: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The fresh authentication (step-up at the identity provider) that signed the application.
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature_acr: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str | None] = mapped_column(String(10))  # the applicant's, noted for the municipality
    # Where the applicant last was, so returning continues there.
    last_path: Mapped[str | None] = mapped_column(String(200))
    # The inbox (unit) the application was routed or forwarded to; caseworkers of a unit see its own.
    inbox_id: Mapped[str | None] = mapped_column(String(60), index=True)
    # Set on arrival registration: the municipality's series, e.g. EB-2026-000123.
    case_number: Mapped[str | None] = mapped_column(String(20))
    assigned_to: Mapped[str | None] = mapped_column(String(80))  # the caseworker's staff id
    assigned_name: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "Apply for next month": the application this one was started from.
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("application.id"))
    # One application per person and month: a second one for a month already applied for is made
    # only on purpose, for something that cannot wait (an emergency), and the caseworker sees it so.
    emergency: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    emergency_reason: Mapped[str | None] = mapped_column(String(1000))

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="HouseholdMember.position"
    )
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def awaiting_cosignature(self) -> bool:
        return self.status == ApplicationStatus.AWAITING_COSIGNATURE

    def co_applicants(self) -> list[HouseholdMember]:
        """Spouse or partner: a joint application needs their signature too."""
        return [m for m in self.members if m.is_co_applicant and not m.is_minor_on(self.period)]


class HouseholdMember(Base):
    """A member of the applicant's household as registered in folkbokföring. Only what the
    application needs: relation, name and birth date (no personnummer, no address)."""

    __tablename__ = "household_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    relation: Mapped[str] = mapped_column(String(20))  # applicant, spouse, partner, child, parent
    # Kept because providers are asked by it (for the member's own consented fetch); never
    # shown, logged or sent.
    personnummer: Mapped[str | None] = mapped_column(String(12))
    # Set when this member has logged in (a co-applicant consenting for themselves).
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)

    application: Mapped[Application] = relationship(back_populates="members")

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_minor_on(self, day: date) -> bool:
        age = self.age_on(day)
        return age is not None and age < 18

    @property
    def is_co_applicant(self) -> bool:
        """A spouse or partner applies together with the applicant and consents for themselves."""
        return self.relation in ("spouse", "partner")


class ApplicationEvent(Base):
    """What happened to an application, shown to the applicant as a timeline."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who caused it: applicant, municipality (a caseworker or the municipality's system) or system.
    source: Mapped[str | None] = mapped_column(String(20))
    # What the applicant is shown with it (a reason, the receiving municipality, a request id...).
    data: Mapped[dict | None] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="events")


class Signature(Base):
    """One person's signature on the application: a fresh authentication at the identity
    provider (step-up) by the applicant or, for a joint application, the co-applicant."""

    __tablename__ = "signature"
    __table_args__ = (UniqueConstraint("application_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id"))
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acr: Mapped[str | None] = mapped_column(String(80))
