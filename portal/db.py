"""Declarative base with a constraint naming convention (stable Alembic migrations)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import CursorResult, DateTime, MetaData, Result
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from portal import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Now, from :mod:`portal.clock` (which tests can move)."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both PostgreSQL and SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def rowcounted(result: Result) -> CursorResult:
    """An UPDATE's or DELETE's result, whose ``rowcount`` says how many rows it changed (a claim or a
    lease taken). ``Session.execute`` is typed to answer a plain Result; for these it is a CursorResult."""
    assert isinstance(result, CursorResult)
    return result
