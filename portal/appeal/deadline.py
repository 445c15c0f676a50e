"""The appeal's deadline: three weeks from the day the person took part of the decision (förvaltningslagen
(2017:900) 44 §), moved by lag (1930:173) om beräkning av lagstadgad tid to the next working day when it falls
on a Saturday, a Sunday, a public holiday (allmän helgdag), midsommarafton, julafton or nyårsafton.

The holidays come from the ``holidays`` library: its Swedish "public" category is the allmänna helgdagar of
lag (1989:253) and its "de_facto" category is exactly midsommarafton, julafton and nyårsafton; Sundays are
left out of both here and judged by the weekday (tests/test_appeal_deadline.py checks the days).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

APPEAL_PERIOD = timedelta(weeks=3)


@lru_cache(maxsize=32)
def _days_off(year: int) -> frozenset[date]:
    found = holidays.country_holidays("SE", years=year, include_sundays=False, categories=("public", "de_facto"))
    return frozenset(found)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _days_off(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def appeal_deadline(took_part_on: date) -> date:
    """The last day an appeal arrives in time, for a decision the person took part of on ``took_part_on``."""
    return next_working_day(took_part_on + APPEAL_PERIOD)
