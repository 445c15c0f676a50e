from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow
from portal.information.states import FetchStatus
from portal.providers.registry import provider


class FetchCall(Base):
    """One provider set fetched about one member: its state, shown to the applicant as it
    changes, and for the municipality "not fetched: reason" when it failed."""

    __tablename__ = "fetch_call"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    info_set: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default=FetchStatus.PENDING)
    reason: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InformationItem(Base):
    """A normalised fetched fact (see ``portal.providers.items.Item``), kept with its
    provenance. Never changed after it is stored; revoking the consent deletes it."""

    __tablename__ = "information_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("household_member.id"), index=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consent.id"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    info_set: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    amount_ore: Mapped[int | None] = mapped_column(Integer)
    gross: Mapped[bool | None] = mapped_column(Boolean)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seal: Mapped[str] = mapped_column(String(200))
    seal_key_id: Mapped[str] = mapped_column(String(40))

    @property
    def figure(self) -> str:
        """What the amount is (``portal.providers.items.FIGURES``), as the provider's adapter says;
        derived from the sealed kind and gross flag, so it needs no column and no new seal."""

        return provider(self.provider).figure(self.kind, self.gross)


class ItemComment(Base):
    """The applicant's comment on a fetched item ("this payment ended in October"). It sits
    beside the item and never alters it."""

    __tablename__ = "item_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("information_item.id", ondelete="CASCADE"), unique=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id"), index=True)
    author_person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    text: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
