"""The cast moves with time: the sandbox answers as if the month of the request were the month the
cast was written in, in the agencies' own formats, from one place (devstack/sandbox/dates.py)."""

from __future__ import annotations

import json
from datetime import date, datetime

import httpx
import pytest

from devstack.sandbox import create_sandbox_app
from devstack.sandbox.dates import AUTHORED_MONTH, months_to_move, move, move_date
from devstack.sandbox.persons import DEFAULT_PERSONS_DIR
from devstack.sandbox.testing import serve
from portal import clock
from portal.clock import SWEDEN

AUTH = {"Authorization": "Bearer sandbox-token"}


def person_file(slug: str) -> dict:
    return json.loads((DEFAULT_PERSONS_DIR / f"{slug}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("day", "months", "moved"),
    [
        (date(2026, 11, 18), 1, date(2026, 12, 18)),
        (date(2026, 11, 18), 2, date(2027, 1, 18)),  # over the year boundary
        (date(2026, 11, 30), 1, date(2026, 12, 31)),  # a month's last day stays the last day
        (date(2026, 10, 31), 1, date(2026, 11, 30)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # into a leap year's February
        (date(2028, 2, 29), 1, date(2028, 3, 31)),  # which is that month's last day
        (date(2026, 1, 30), 1, date(2026, 2, 28)),  # a day February lacks
        (date(2026, 11, 18), -11, date(2025, 12, 18)),  # backwards too
        (date(2026, 11, 18), 0, date(2026, 11, 18)),
    ],
)
def test_a_date_moves_by_whole_months(day, months, moved):
    assert move_date(day, months) == moved


def test_every_raw_format_moves_and_nothing_else_does():
    raw = {
        "utbetalningsdatum": "2026-11-25",
        "Transaktionsdatum": "20261110",
        "avserManad": "2026-11",
        "manad": "202611",
        "skapad": "2026-11-03T09:15:00+01:00",
        "Inkomstar": 2025,
        "Fodelsedatum": "19900602",
        "kontorskod": "0180-12",
        "PostNr": "75320",
        "Belopp": 20261110,
        "Verifikationsnummer": "V20261110001",
        "Transaktionstext": "Slutlig skatt 2025",
        "Arendenummer": "2025-900602-17",
        "kod": "202611",
        "nested": [{"tom": "2026-11-30"}],
        "Datum": None,
        "flag": True,
    }
    assert move(raw, 2) == {
        "utbetalningsdatum": "2027-01-25",
        "Transaktionsdatum": "20270110",
        "avserManad": "2027-01",
        "manad": "202701",
        "skapad": "2027-01-03T09:15:00+01:00",
        "Inkomstar": 2025,
        "Fodelsedatum": "19900602",
        "kontorskod": "0180-12",
        "PostNr": "75320",
        "Belopp": 20261110,
        "Verifikationsnummer": "V20261110001",
        "Transaktionstext": "Slutlig skatt 2025",
        "Arendenummer": "2025-900602-17",
        "kod": "202611",
        "nested": [{"tom": "2027-01-31"}],
        "Datum": None,
        "flag": True,
    }
    assert move(raw, 14)["Inkomstar"] == 2026  # an income year moves only with whole years
    assert move(raw, -1)["Inkomstar"] == 2025
    assert move(raw, 0) is raw


def test_the_shift_counts_months_from_the_authored_month():
    assert months_to_move(AUTHORED_MONTH) == 0
    assert months_to_move(date(2026, 11, 30)) == 0
    assert months_to_move(date(2026, 12, 1)) == 1
    assert months_to_move(date(2027, 1, 1)) == 2
    assert months_to_move(date(2028, 2, 29)) == 15
    assert months_to_move(date(2026, 10, 31)) == -1


@pytest.mark.parametrize("slug", sorted(p.stem for p in DEFAULT_PERSONS_DIR.glob("*.json")))
def test_moving_keeps_the_order_of_every_persons_dates(slug):
    """A year and a bit later, every list of dates in every payload is in the same order."""
    original = person_file(slug)["providers"]
    later = move(original, 15)

    def dates(node, key=None):
        if isinstance(node, dict):
            for name, value in node.items():
                yield from dates(value, name)
        elif isinstance(node, list):
            for value in node:
                yield from dates(value, key)
        elif isinstance(node, str) and len(node) == 10 and node[4] == "-" and node[7] == "-":
            yield node

    before, after = list(dates(original)), list(dates(later))
    assert len(before) == len(after)
    for i in range(len(before) - 1):
        a, b, c, d = before[i], before[i + 1], after[i], after[i + 1]
        assert (a < b) <= (c <= d) and (a > b) <= (c >= d)


def test_the_sandbox_answers_as_of_the_clock_over_http():
    stored = person_file("af-sanctions")["providers"]
    with serve(create_sandbox_app()) as url:

        def answer(path, payload):
            response = httpx.post(f"{url}{path}", json=payload, headers=AUTH)
            assert response.status_code == 200
            return response.json()

        slug_pnr = person_file("af-sanctions")["person"]["personnummer"]
        fk_path = "/forsakringskassan/api/formaner/v2/aktivitetsstod"
        body = {"personId": slug_pnr, "fromDatum": "2026-08-01", "tomDatum": "2027-01-31"}
        with clock.travelled(datetime(2026, 11, 25, 12, tzinfo=SWEDEN)):
            assert answer(fk_path, body) == stored["forsakringskassan"]["aktivitetsstod"]
        # Just after midnight in Sweden on New Year's Day (still 31 December in UTC): January.
        with clock.travelled(datetime(2027, 1, 1, 0, 30, tzinfo=SWEDEN)):
            january = answer(fk_path, body)
        assert january == move(stored["forsakringskassan"]["aktivitetsstod"], 2)
        months = [p["avserManad"] for p in january["utbetalningar"]]
        assert months and max(months) == "2027-01"
