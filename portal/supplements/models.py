from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, utcnow

DESCRIPTION_MAX = 200
TEXT_MAX = 5000


class Income(Base):
    """An income the applicant states for one month of the application's period."""

    __tablename__ = "supplement_income"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # see labels.INCOME_KIND
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX))
    amount_ore: Mapped[int] = mapped_column(Integer)
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    member_id: Mapped[int | None] = mapped_column(ForeignKey("household_member.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Cost(Base):
    """A cost per month, for the indication's reasonable costs outside the norm (docs/design.md §7)."""

    __tablename__ = "supplement_cost"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))  # see labels.COST_CATEGORY
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX))
    amount_ore: Mapped[int] = mapped_column(Integer)
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Asset(Base):
    """Something the household owns, with the value the applicant states."""

    __tablename__ = "supplement_asset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # see labels.ASSET_KIND
    description: Mapped[str | None] = mapped_column(String(DESCRIPTION_MAX))
    value_ore: Mapped[int] = mapped_column(BigInteger)  # up to 100 000 000 kr does not fit 32 bits
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FreeText(Base):
    """The applicant's own words to the municipality: one text per application."""

    __tablename__ = "supplement_text"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
