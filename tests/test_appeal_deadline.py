"""The appeal's deadline (portal/appeal/deadline.py): three weeks from the day the person took part of the
decision, moved to the next working day by lag (1930:173) when it falls on a Saturday, a Sunday, a public
holiday, midsommarafton, julafton or nyårsafton. Fixed dates: none of this depends on today's date."""

from __future__ import annotations

from datetime import date

import pytest

from portal.appeal.deadline import appeal_deadline, is_working_day, next_working_day


@pytest.mark.parametrize(
    ("served", "deadline", "why"),
    [
        (date(2026, 11, 4), date(2026, 11, 25), "an ordinary Wednesday three weeks on"),
        (date(2026, 11, 7), date(2026, 11, 30), "three weeks on is a Saturday: Monday"),
        (date(2026, 11, 8), date(2026, 11, 30), "three weeks on is a Sunday: Monday"),
        (date(2026, 3, 13), date(2026, 4, 7), "Good Friday 3 April 2026, then the Easter weekend and Easter Monday"),
        (date(2026, 3, 16), date(2026, 4, 7), "Easter Monday 6 April 2026"),
        (date(2027, 3, 5), date(2027, 3, 30), "Good Friday 26 March 2027 (Easter moves year to year)"),
        (date(2026, 4, 23), date(2026, 5, 15), "Ascension Day, Thursday 14 May 2026"),
        (date(2026, 5, 29), date(2026, 6, 22), "midsommarafton, Friday 19 June 2026, then midsommardagen"),
        (date(2026, 12, 3), date(2026, 12, 28), "julafton (Thursday), juldagen and annandag jul"),
        (date(2026, 12, 10), date(2027, 1, 4), "nyårsafton (Thursday) and nyårsdagen: the deadline crosses New Year"),
        (date(2026, 12, 16), date(2027, 1, 7), "trettondedag jul, Wednesday 6 January 2027"),
        (date(2027, 5, 16), date(2027, 6, 7), "nationaldagen on a Sunday 6 June 2027: Monday"),
        (date(2026, 12, 11), date(2027, 1, 4), "1 January 2027 is a Friday: the next Monday"),
    ],
)
def test_three_weeks_moved_to_the_next_working_day(served, deadline, why):
    assert appeal_deadline(served) == deadline, why


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 6, 19),
        date(2026, 12, 24),
        date(2026, 12, 31),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 1, 6),
        date(2026, 5, 1),
        date(2026, 12, 25),
        date(2027, 12, 31),
    ],
)
def test_the_days_the_law_names_are_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 30),
        date(2026, 12, 23),
        date(2026, 12, 30),
        date(2026, 6, 18),
        date(2026, 1, 5),
        date(2026, 11, 25),
    ],
)
def test_eves_the_law_does_not_name_are_working_days(day):
    # Valborgsmässoafton, the day before julafton, trettondagsafton...: shortened days, but working days.
    assert is_working_day(day)


def test_a_working_day_stays_where_it_is():
    assert next_working_day(date(2026, 12, 22)) == date(2026, 12, 22)
