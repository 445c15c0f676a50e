"""The one clock the portal reads for calendar time: what day it is in Sweden, which months can
be applied for, when something happened, what the sandbox's test persons were paid "last month".

Durations that never leave the process (timeouts, retries, a session's idle time, token lifetimes
checked against the identity provider's own clock) keep using ``time.time()`` and
``time.monotonic()``: they measure how long, not which day.

Tests move the clock instead of waiting for a date: :func:`travel` sets it to a moment from which
it keeps ticking (so leases, backoffs and deadlines still pass), :func:`freeze` stops it there;
:func:`reset` returns to the machine's clock. The setting is process-wide, so the identity
provider and the sandbox served from threads of the test process see the same day as the portal.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

#: Swedish time, in which days, months and "today" are counted
SWEDEN = ZoneInfo("Europe/Stockholm")

_lock = threading.Lock()
_offset = timedelta(0)
_frozen: datetime | None = None


def _machine_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    frozen, offset = _frozen, _offset
    return frozen if frozen is not None else _machine_now() + offset


def today() -> date:
    """Today's date in Sweden (a UTC date is a day behind for an hour or two every night)."""
    return now().astimezone(SWEDEN).date()


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware moment")
    return at.astimezone(UTC)


def travel(at: datetime) -> None:
    """Set the clock to ``at``; it keeps ticking from there."""
    global _offset, _frozen
    with _lock:
        _offset, _frozen = _aware(at) - _machine_now(), None


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` until the next :func:`travel`, :func:`freeze` or :func:`reset`."""
    global _offset, _frozen
    with _lock:
        _offset, _frozen = timedelta(0), _aware(at)


def reset() -> None:
    """Back to the machine's clock."""
    global _offset, _frozen
    with _lock:
        _offset, _frozen = timedelta(0), None


@contextmanager
def travelled(at: datetime, *, frozen: bool = False) -> Iterator[None]:
    """The clock at ``at`` for the ``with`` block, then as it was before."""
    global _offset, _frozen
    with _lock:
        saved = (_offset, _frozen)
    (freeze if frozen else travel)(at)
    try:
        yield
    finally:
        with _lock:
            _offset, _frozen = saved


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment; a date alone means noon in Sweden on that day."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time().replace(hour=12), SWEDEN)
    return _aware(datetime.fromisoformat(text))
