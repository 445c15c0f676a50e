"""Test data that moves with time: the cast is written as seen in one month, and the sandbox
answers as if that month were the month of the request.

The person files (``devstack/testdata/persons``) hold fixed dates, written as the agencies would
have answered late in :data:`AUTHORED_MONTH`. When answering, every date in a payload moves by
the whole number of months between that month and the sandbox's today (:func:`portal.clock.today`),
so "paid last month", "decided this month", "the plan meeting early next month" and "the permit
that ended two months ago" stay true on any day, and an application for this month finds the same
items every day of every month.

Whole months, not days, because the agencies' data is month-shaped: a benefit paid on the 25th
for the month it is paid in stays on the 25th and in its own month, a period from the first to
the last day of a month stays exactly one month (a month's last day moves to the last day of the
new month), and totals per month stay what the tests expect. The price: a date in the current
month keeps its day of the month, so what was "a week ago" on the 25th can be "in two weeks" on
the 3rd (docs/decisions/0005-test-data-moves-with-time.md).

Raw formats stay exactly as they are: ``2026-11-18``, ``20261118``, ``2026-11``, ``202611``
(in ``manad`` fields), ISO date-times, and ``Inkomstar`` (a year, moved by whole years only so an
income year is never one that has not ended). Birth dates never move: they belong to the
personnummer. Identifiers and free texts that happen to contain a year are left alone.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from portal import clock

#: the day the cast was written as seen on (tests that check a fetch against the files set the
#: clock to it); a request in any month is answered as if it were :data:`AUTHORED_MONTH`
AUTHORED_DAY = date(2026, 11, 25)
AUTHORED_MONTH = AUTHORED_DAY.replace(day=1)

#: dates that belong to the person, not to the time of the request
NOT_MOVED = frozenset({"Fodelsedatum", "fodelsedatum"})
#: whole-number years that move with whole years
YEAR_KEYS = frozenset({"Inkomstar"})

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MOMENT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(T.+)")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_COMPACT_MONTH = re.compile(r"(\d{4})(\d{2})")


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def months_to_move(today: date | None = None) -> int:
    """How many months the cast moves for a request made on ``today`` (default: the clock's)."""
    return months_between(AUTHORED_MONTH, today or clock.today())


def _plausible(year: int, month: int) -> bool:
    return 1900 <= year <= 2100 and 1 <= month <= 12


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def move_date(day: date, months: int) -> date:
    """``day`` moved by whole months; a month's last day stays the last day of its month, and a
    day the new month lacks (31 April) becomes that month's last."""
    year, month = _add_months(day.year, day.month, months)
    last = calendar.monthrange(year, month)[1]
    was_last = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month, last if was_last else min(day.day, last))


def _valid_day(year: int, month: int, day: int) -> date | None:
    if not _plausible(year, month):
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _move_text(key: str | None, text: str, months: int) -> str:
    if (match := _ISO.fullmatch(text)) and (day := _valid_day(*map(int, match.groups()))):
        return move_date(day, months).isoformat()
    if (match := _ISO_MOMENT.fullmatch(text)) and (day := _valid_day(*map(int, match.groups()[:3]))):
        return move_date(day, months).isoformat() + match.group(4)
    if (match := _COMPACT.fullmatch(text)) and (day := _valid_day(*map(int, match.groups()))):
        return move_date(day, months).strftime("%Y%m%d")
    if (match := _MONTH.fullmatch(text)) and _plausible(*map(int, match.groups())):
        year, month = _add_months(*map(int, match.groups()), months)
        return f"{year:04d}-{month:02d}"
    if (
        key is not None
        and "manad" in key.lower()
        and (match := _COMPACT_MONTH.fullmatch(text))
        and _plausible(*map(int, match.groups()))
    ):
        year, month = _add_months(*map(int, match.groups()), months)
        return f"{year:04d}{month:02d}"
    return text


def move(payload: Any, months: int, key: str | None = None) -> Any:
    """A copy of a raw payload with every date moved by ``months`` (see the module's docstring)."""
    if months == 0 or key in NOT_MOVED:
        return payload
    if isinstance(payload, dict):
        return {name: move(value, months, name) for name, value in payload.items()}
    if isinstance(payload, list):
        return [move(value, months, key) for value in payload]
    if isinstance(payload, str):
        return _move_text(key, payload, months)
    if key in YEAR_KEYS and isinstance(payload, int) and not isinstance(payload, bool):
        return payload + int(months / 12)  # whole years only, towards zero
    return payload


def as_of_today(payload: Any) -> Any:
    """The payload as the agency would answer it today."""
    return move(payload, months_to_move())
