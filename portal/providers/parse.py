"""Strict reading of raw payloads, shared by the normalisers: a missing key, a wrong type or an
unparseable date is drift, which the adapter reports as ``unexpected_format`` and never shows."""

from __future__ import annotations

import calendar
import re
from collections.abc import Container, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Literal, TypeVar, overload

from portal.providers.base import ProviderError

# A date's forms, each with three groups: year, month, day.
ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
COMPACT_DAY = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")

T = TypeVar("T")


class Drift(Exception):
    """The payload does not have the provider's shape; the argument names where."""


# The overloads tell the type checker what the checks below guarantee: a value of the kind asked for,
# None only where it was allowed.
@overload
def get(raw: Any, key: str, kind: type[T], optional: Literal[False] = False) -> T: ...
@overload
def get(raw: Any, key: str, kind: type[T], optional: bool) -> T | None: ...
@overload
def get(raw: Any, key: str, kind: tuple[type, ...], optional: bool = False) -> Any: ...
def get(raw, key: str, kind, optional: bool = False):
    if not isinstance(raw, dict) or key not in raw:
        raise Drift(key)
    value = raw[key]
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Drift(key)
    return value


@overload
def iso_date(raw: Any, key: str, optional: Literal[False] = False) -> date: ...
@overload
def iso_date(raw: Any, key: str, optional: bool) -> date | None: ...
def iso_date(raw, key: str, optional: bool = False) -> date | None:
    text = get(raw, key, str, optional)
    return None if text is None else day(text, key)


def day(text, key: str, pattern: re.Pattern[str] = ISO_DAY) -> date:
    """``text`` as a date in the agency's form (``ISO_DAY`` or ``COMPACT_DAY``); a day the calendar does not
    have is drift."""
    match = pattern.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise Drift(key)
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        raise Drift(key) from None


def code(raw, key: str, allowed: Container[str]) -> str:
    value = get(raw, key, str)
    if value not in allowed:
        raise Drift(key)
    return value


def month_span(year: int, month: int, key: str) -> tuple[date, date]:
    """The first and the last day of a month; a month outside 1 to 12 is drift."""
    if not 1 <= month <= 12:
        raise Drift(key)
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month(text, pattern: re.Pattern[str], key: str) -> tuple[date, date]:
    """``text`` as a month in the agency's form: ``pattern`` holds two groups, the year and the month."""
    match = pattern.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise Drift(key)
    return month_span(int(match.group(1)), int(match.group(2)), key)


def whole_kronor(raw, key: str) -> int:
    """A whole number of kronor, never negative, in öre."""
    kronor = get(raw, key, int)
    if kronor < 0:
        raise Drift(key)
    return kronor * 100


def decimal_ore(text, pattern: re.Pattern[str], key: str, point: str = ".") -> int:
    """Kronor written with two decimals after ``point``, in öre. ``pattern`` is the agency's form: whether
    a minus sign or a space between thousands may stand in it."""
    if not isinstance(text, str) or not pattern.fullmatch(text):
        raise Drift(key)
    kronor, decimals = text.replace(" ", "").lstrip("-").split(point)
    return (-1 if text.startswith("-") else 1) * (int(kronor) * 100 + int(decimals))


@contextmanager
def unexpected_format(provider: str) -> Iterator[None]:
    """Around a normaliser: any drift, or a payload that breaks the reading in another way, is the
    provider's ``unexpected_format``, never shown as data."""
    try:
        yield
    except (Drift, KeyError, TypeError, ValueError, AttributeError):
        raise ProviderError(provider, "unexpected_format") from None
