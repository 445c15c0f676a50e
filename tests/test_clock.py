"""The one clock: Swedish days, moved by tests, read by everything that asks what day it is."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from portal import clock
from portal.application.services import month_choices
from portal.clock import SWEDEN
from portal.db import utcnow


def test_travel_keeps_ticking_and_reset_returns_to_the_machine():
    clock.travel(datetime(2030, 6, 1, 12, tzinfo=UTC))
    first = clock.now()
    assert abs(first - datetime(2030, 6, 1, 12, tzinfo=UTC)) < timedelta(minutes=5)
    time.sleep(0.01)
    assert clock.now() > first
    assert utcnow().year == 2030  # what the models stamp
    clock.reset()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=5)


def test_freeze_stops_the_clock_and_travelled_restores_it():
    clock.freeze(datetime(2031, 1, 2, 3, 4, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2031, 1, 2, 3, 4, tzinfo=UTC)
    with clock.travelled(datetime(2029, 5, 5, tzinfo=UTC), frozen=True):
        assert clock.now() == datetime(2029, 5, 5, tzinfo=UTC)
    assert clock.now() == datetime(2031, 1, 2, 3, 4, tzinfo=UTC)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        clock.travel(datetime(2030, 1, 1))


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # New Year's night: still 31 December in UTC, already 1 January in Sweden
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2026, 12, 31)),
        # summer time: Sweden is two hours ahead of UTC
        (datetime(2027, 6, 30, 22, 30, tzinfo=UTC), date(2027, 7, 1)),
        (datetime(2027, 6, 30, 21, 30, tzinfo=UTC), date(2027, 6, 30)),
        # the night the clocks go forward (28 March 2027, 02:00 -> 03:00) and back (31 October)
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), date(2027, 3, 28)),
        (datetime(2027, 10, 30, 22, 30, tzinfo=UTC), date(2027, 10, 31)),
        (datetime(2028, 2, 29, 12, tzinfo=UTC), date(2028, 2, 29)),
    ],
)
def test_today_is_the_swedish_date(moment, day):
    clock.freeze(moment)
    assert clock.today() == day


def test_a_date_alone_means_noon_in_sweden():
    assert clock.parse_moment("2028-02-29") == datetime(2028, 2, 29, 12, tzinfo=SWEDEN)
    assert clock.parse_moment("2027-03-28T01:30:00+00:00") == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("today", "choices"),
    [
        (date(2026, 12, 31), [date(2026, 12, 1), date(2027, 1, 1)]),
        (date(2027, 1, 31), [date(2027, 1, 1), date(2027, 2, 1)]),
        (date(2028, 2, 29), [date(2028, 2, 1), date(2028, 3, 1)]),
        (date(2027, 11, 30), [date(2027, 11, 1), date(2027, 12, 1)]),
    ],
)
def test_the_months_one_can_apply_for(today, choices):
    assert month_choices(today) == choices
